#!/usr/bin/env python3
"""Compare a live dump (netplay tcp serve ... > dump.txt) with the offline dump
of the same bytes (netplay hex FILE), both made with the same --color.

The live dump adds a header line per chunk, and a line that a chunk boundary
cuts shows as two partial lines at the same offset (each chunk's bytes are
printed as soon as it arrives). So:
  - header lines are dropped;
  - every other line of the offline dump must appear, byte for byte (colour
    included), in the same order in the live dump, except the lines cut by a
    chunk boundary;
  - for each cut line, its two halves must hold, at the same offset and the
    same columns, exactly the bytes of the offline line (hex panel, colour
    escapes removed). Their text panels are not compared: a UTF-8 character
    cut by the boundary cannot show as one character in either half.
Prints a one-line summary; exits 1 on any difference.

usage: compare-dumps.py LIVE OFFLINE
"""
import re
import sys

ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
DUMP_LINE = re.compile(r"^([0-9a-f]{8,})(  |$)")


def dump_lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "*" or DUMP_LINE.match(line):
                yield line


def offset_of(line):
    m = DUMP_LINE.match(line)
    return int(m.group(1), 16) if m else None


def cells(line):
    """The hex panel's cells of a line without colour: {column: byte}."""
    plain = ESCAPE.sub("", line)
    panel = plain.split("│")[0]
    digits = len(DUMP_LINE.match(plain).group(1))
    body = panel[digits + 2:]
    found = {}
    # Cells are 3 characters apart, one more space after each group of 8.
    column = 0
    at = 0
    while at + 2 <= len(body):
        pair = body[at:at + 2]
        if pair.strip():
            found[column] = int(pair, 16)
        column += 1
        at += 3 + (1 if column % 8 == 0 else 0)
    return found


def main(live_path, offline_path):
    live = list(dump_lines(live_path))
    offline = list(dump_lines(offline_path))
    # Group the live lines: a run of lines with one offset is one cut line.
    groups = []
    for line in live:
        off = offset_of(line)
        if groups and off is not None and groups[-1][0] == off and len(groups[-1][1]) >= 1 \
                and "│" in line and "│" in groups[-1][1][-1]:
            groups[-1][1].append(line)
        else:
            groups.append((off, [line]))
    if len(groups) != len(offline):
        print(f"DIFFERENT: {len(offline)} offline lines, {len(groups)} live lines once cut lines are joined")
        return 1
    same = cut = 0
    for n, ((off, parts), want) in enumerate(zip(groups, offline)):
        if len(parts) == 1:
            if parts[0] != want:
                print(f"DIFFERENT at line {n + 1}:\n  live:    {parts[0]!r}\n  offline: {want!r}")
                return 1
            same += 1
            continue
        joined = {}
        for part in parts:
            for column, byte in cells(part).items():
                if column in joined:
                    print(f"DIFFERENT: column {column} twice in the cut line at {off:08x}")
                    return 1
                joined[column] = byte
        if offset_of(want) != off or joined != cells(want):
            print(f"DIFFERENT bytes in the cut line at {off:08x}:\n  live:    {parts!r}\n  offline: {want!r}")
            return 1
        cut += 1
    print(f"same: {same} lines identical (colour included), {cut} lines cut by a chunk boundary "
          f"hold the same bytes at the same offsets; {len(live) - len(groups) + cut} partial lines joined")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
