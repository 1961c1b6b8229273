//! Joins the two halves of output: a sink's handle for the runners, and the
//! renderers of report/ behind it, on the real stdout and stderr (and the
//! demo's board, where several ends share one output). The only module that
//! knows both.

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use crate::event::{Reporter, Role};
use crate::model::Locked;
use crate::report::{Afterwards, Background, Mode, OutputConfig, html, human, json, labels, raw, raw_stream};
use crate::sink::Report;
use crate::width;

/// Builds the report for a run on the real stdout and stderr; with a
/// picture, it records every event too, as the end `role` tells them.
///
/// Once the run is stopping (a signal: [`Report::stop_within`]), stdout gets
/// [`crate::sink::STDOUT_PATIENCE`] more to take what waits; then it is given up, so that
/// nothing goes on waiting behind a pipe nobody reads: with `--raw` the
/// payload left is counted and said on stderr, where the reports and the
/// totals go; a report for people or programs goes on on stderr, after one
/// line that says so.
pub(crate) fn to_terminal(
    config: &OutputConfig,
    picture: Option<(&html::Picture, Role)>,
) -> io::Result<Report> {
    let stdout = raw_stream(io::stdout())?;
    let lang = config.lang;
    let on_stderr = || -> io::Result<Box<dyn Write + Send>> { Ok(Box::new(raw_stream(io::stderr())?)) };
    let mut stoppers = Vec::new();
    let reporter: Box<dyn Reporter> = match config.mode {
        Mode::Human => {
            let terminal = io::stdout().is_terminal();
            let color = config.color.resolve(terminal);
            let width = width::columns(config.columns, terminal, width::stdout_terminal());
            let note = Box::new(move || {
                let line = crate::msg!("error-line", what = crate::msg!("notice-stdout-given-up"));
                format!("{}\n", line.render(lang))
            });
            let stdout = Background::new(stdout, Afterwards::Elsewhere { out: on_stderr()?, note })?;
            stoppers.push(stdout.stopper());
            Box::new(human::Human::in_background(stdout, human::Style::from_config(config, color, width)))
        }
        Mode::Json => {
            // JSON lines only, there too.
            let note = Box::new(String::new);
            let stdout = Background::new(stdout, Afterwards::Elsewhere { out: on_stderr()?, note })?;
            let stopper = stdout.stopper();
            stoppers.push(stopper.clone());
            Box::new(
                json::Json::new(Box::new(stdout)).decoding(config.decode.clone()).giving_up_with(stopper),
            )
        }
        Mode::Raw => {
            let terminal = io::stderr().is_terminal();
            let color = config.color.resolve(terminal);
            let width = width::columns(config.columns, terminal, width::stderr_terminal());
            let mut style = human::Style::from_config(config, color, width);
            style.dumps = config.raw_dumps;
            let stderr = human::Human::new(on_stderr()?, style);
            let payload = Background::new(stdout, Afterwards::Discard)?;
            stoppers.push(payload.stopper());
            let shown = raw::Shown { decode: config.decode.is_some(), dumps: config.raw_dumps };
            Box::new(raw::Raw::new(payload, stderr, config.quiet, shown))
        }
    };
    let report = match picture {
        Some((picture, role)) => Report::new(picture.tee(reporter, html::End::Run(role)))?,
        None => Report::new(reporter)?,
    };
    for stopper in stoppers {
        report.on_stop(move |at| stopper.give_up_at(at));
    }
    // The picture shows what is sent, whatever stdout shows, and so do
    // raw dumps on stderr.
    let sends = config.mode != Mode::Raw || picture.is_some() || config.raw_dumps;
    Ok(if sends { report } else { report.without_sends() })
}

/// Output for a run with several ends at once (the demo): each end gets a
/// reporter of its own, with its own state, and all of them write to one
/// output, in one order, each event in one piece. Human lines carry the
/// end's label; JSON objects carry `part` and `end` fields.
pub(crate) struct Board {
    main: Report,
    out: SharedWriter,
    /// `--html`, `--svg`: every end's events are recorded for the picture too.
    picture: Option<html::Picture>,
    config: OutputConfig,
    color: bool,
    /// Columns to fit, the labels included.
    width: Option<usize>,
}

impl Board {
    /// A board whose ends' events `picture` records too.
    pub(crate) fn with_picture(
        out: Box<dyn Write + Send>,
        config: OutputConfig,
        color: bool,
        width: Option<usize>,
        picture: Option<html::Picture>,
    ) -> io::Result<Board> {
        let out = SharedWriter(Arc::new(Mutex::new(out)));
        let main = reporter(&out, &config, color, width, None);
        let main = match &picture {
            Some(picture) => picture.tee(main, html::End::Main),
            None => main,
        };
        let main = Report::new(main)?;
        Ok(Board { main, out, picture, config, color, width })
    }

    /// A board on the real stdout.
    pub(crate) fn to_terminal(config: &OutputConfig, picture: Option<html::Picture>) -> io::Result<Board> {
        let terminal = io::stdout().is_terminal();
        let color = config.color.resolve(terminal);
        let width = width::columns(config.columns, terminal, width::stdout_terminal());
        Board::with_picture(Box::new(raw_stream(io::stdout())?), config.clone(), color, width, picture)
    }

    /// `reporter`, teed to the picture (if any) as `end`.
    fn teed(&self, reporter: Box<dyn Reporter>, end: html::End) -> Box<dyn Reporter> {
        match &self.picture {
            Some(picture) => picture.tee(reporter, end),
            None => reporter,
        }
    }

    /// The report of the run's own events, without a label.
    pub(crate) fn main(&self) -> Report {
        self.main.clone()
    }

    /// A report for one end of one part, in the same order as the others.
    pub(crate) fn end(&self, part: &'static str, end: Role) -> Report {
        let width = self.width.map(|w| w.saturating_sub(labels::columns(self.config.lang)).max(20));
        let reporter = reporter(&self.out, &self.config, self.color, width, Some((part, end)));
        self.main.add_end(self.teed(reporter, html::End::Part(part, end)))
    }

    /// A report for the packets of one part (`--packets`), in the same
    /// order as its ends: human lines labelled `wire`, JSON objects with
    /// `"part"` and `"end":"wire"`.
    pub(crate) fn wire(&self, part: &'static str) -> Report {
        let out = self.out.clone();
        let reporter: Box<dyn Reporter> = match self.config.mode {
            Mode::Json => {
                Box::new(json::Json::new(Box::new(out)).with_fields(&[("part", part), ("end", "wire")]))
            }
            _ => {
                let out = Labelled::new(out, labels::wire(self.config.lang, self.color));
                let width = self.width.map(|w| w.saturating_sub(labels::columns(self.config.lang)).max(20));
                let style = human::Style::from_config(&self.config, self.color, width);
                Box::new(human::Human::new(Box::new(out), style))
            }
        };
        self.main.add_end(self.teed(reporter, html::End::Wire(part)))
    }
}

fn reporter(
    out: &SharedWriter,
    config: &OutputConfig,
    color: bool,
    width: Option<usize>,
    end: Option<(&'static str, Role)>,
) -> Box<dyn Reporter> {
    let out = out.clone();
    match (config.mode, end) {
        (Mode::Json, None) => Box::new(json::Json::new(Box::new(out)).decoding(config.decode.clone())),
        (Mode::Json, Some((part, role))) => {
            let role = match role {
                Role::Server => "server",
                Role::Client => "client",
            };
            Box::new(
                json::Json::new(Box::new(out))
                    .decoding(config.decode.clone())
                    .with_fields(&[("part", part), ("end", role)]),
            )
        }
        (_, end) => {
            let style = human::Style::from_config(config, color, width);
            let out: Box<dyn Write + Send> = match end {
                None => Box::new(out),
                Some((_, role)) => Box::new(Labelled::new(out, labels::end(config.lang, role, color))),
            };
            Box::new(human::Human::new(out, style))
        }
    }
}

/// One writer shared by several reporters; each write goes through whole.
#[derive(Clone)]
struct SharedWriter(Arc<Mutex<Box<dyn Write + Send>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.locked().write_all(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.locked().flush()
    }
}

/// Puts a label at the start of every line, and writes each piece it is
/// given (one event, for the human reporter) in one write.
struct Labelled {
    out: SharedWriter,
    label: String,
    at_line_start: bool,
    buf: Vec<u8>,
}

impl Labelled {
    fn new(out: SharedWriter, label: String) -> Labelled {
        Labelled { out, label, at_line_start: true, buf: Vec::new() }
    }
}

impl Write for Labelled {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.clear();
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            if self.at_line_start {
                self.buf.extend_from_slice(self.label.as_bytes());
            }
            self.buf.extend_from_slice(line);
            self.at_line_start = line.ends_with(b"\n");
        }
        self.out.write_all(&self.buf)?;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
