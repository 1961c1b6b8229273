//! netplay's integration tests: one test binary, each file a module.
//!
//! One binary instead of one per file: every test binary links the whole
//! crate and its dependencies again, so 55 of them cost minutes of linking
//! after each change to src/ and gigabytes of target/ (docs/ci.md measures
//! both). Run one file's tests with `cargo test --test suite tcp::`, one test
//! with `cargo test --test suite tcp::a_test_name`. Only
//! tests/capture_netns.rs stays a binary of its own: it needs a process with
//! one thread, its own `main`.

mod common;

mod access;
mod addresses;
mod bench;
mod broadcast;
mod capture;
mod capture_faults;
mod catalogues;
mod client_checks;
mod course_words;
mod datagram_bounds;
mod decode_python;
mod demo;
mod direct;
mod durations;
mod errors;
mod escaping;
mod file_ways;
mod french;
mod help;
mod hex;
mod hints;
mod html;
mod install;
mod ipv6;
mod json_end;
mod json_fields;
mod layers;
mod limits;
mod listen;
mod lossless;
mod nc;
mod netcat;
mod order;
mod packets;
mod peers;
mod pipe_input;
mod python_transcripts;
mod python_views;
mod relay_faults;
mod restart;
mod script;
mod script_engine;
mod script_serve;
mod script_serve_steps;
mod ss_numbers;
mod stdout_leaves;
mod stopping;
mod tcp;
mod teach;
mod udp;
mod udp_guard;
mod width;
mod windows;
mod wire_numbers;
