//! netplay: a TCP/UDP playground that shows every socket step, every address
//! and port, and every byte as a colour-coded hex dump; and a netcat-class
//! tool that pipes raw bytes and serves thousands of clients.
//!
//! Data flows one way: cli (clap) → config → runner (tcp, udp, ...) →
//! events → a reporter (human, json or raw). See DESIGN.md.

#![warn(unreachable_pub)]

mod bench;
pub mod capture;
pub mod cli;
mod config;
pub mod decode;
mod demo;
pub mod event;
pub mod exit;
mod hex;
pub mod hexdump;
pub mod i18n;
mod input;
mod model;
mod nc;
mod net;
mod output;
mod packets;
mod python;
pub mod report;
pub mod script;
pub mod sink;
mod sys;
mod tcp;
mod udp;
pub mod units;
pub mod width;

use std::io::{self, IsTerminal, Write};

use anyhow::Result;

use config::Job;
use report::html::{Picture, PictureError, Status};
use report::{Mode, OutputConfig};
use sink::OutputError;

/// Runs what the command line asks for.
pub fn run(cli: cli::Cli) -> Result<()> {
    // Every time shown counts from here.
    model::clock::start();
    let json = cli.output.json;
    let config::Run { job, output, notices } = match cli.into_run() {
        Ok(run) => run,
        Err(e) if json => return end_before_start(e),
        Err(e) => return Err(e),
    };
    let output = &output;
    let picture = picture_of(&job, output)?;
    let picture = picture.as_ref();
    match job {
        Job::Legend => {
            let color = output.color.resolve(io::stdout().is_terminal());
            let mut stdout = report::raw_stream(io::stdout()).map_err(OutputError)?;
            stdout
                .write_all(report::legend::legend_in(output.lang, color).as_bytes())
                .map_err(OutputError)?;
            Ok(())
        }
        Job::Print(bytes) => {
            let mut stdout = report::raw_stream(io::stdout()).map_err(OutputError)?;
            stdout.write_all(&bytes).map_err(OutputError)?;
            Ok(())
        }
        Job::TcpServe(config) => {
            with_report(output, &notices, picture, |report| tcp::serve::run(&config, report))
        }
        Job::Nc(config) => with_report(output, &notices, picture, |report| nc::run(&config, report)),
        Job::TcpConnect(config) => {
            let script = config.sends.script().map(|s| s.name.clone());
            with_report(output, &notices, picture, |report| {
                script_end(script, &report.clone(), tcp::connect::run_owning_process(&config, report))
            })
        }
        Job::Hex(config) => {
            let color = output.color.resolve(io::stdout().is_terminal());
            let mut stdout = report::raw_stream(io::stdout()).map_err(OutputError)?;
            hex::run(&config, color, &mut stdout, &mut io::stderr())
        }
        Job::UdpServe(config) => {
            with_report(output, &notices, picture, |report| udp::serve::run_until_signal(&config, report))
        }
        Job::UdpSend(config) => {
            let script = config.sends.script().map(|s| s.name.clone());
            with_report(output, &notices, picture, |report| {
                script_end(script, &report.clone(), udp::send::run(&config, report))
            })
        }
        Job::TcpBench(config) => {
            with_report(output, &notices, None, |report| bench::tcp::run(&config, report))
        }
        Job::UdpBench(config) => {
            with_report(output, &notices, None, |report| bench::udp::run(&config, report))
        }
        Job::Demo(config) => {
            // Before the board's thread: a private network namespace can
            // only be entered by a process with one thread.
            let isolation = demo::wire::isolate(&config.packets)?;
            let board =
                output::Board::to_terminal(output, picture.map(|(p, _)| p.clone())).map_err(OutputError)?;
            let result = demo::run(&config, &board, &isolation);
            let result = end(output, &board.main(), result);
            board.main().finish()?;
            finish_picture(picture, result)
        }
    }
}

/// The picture `--html` and `--svg` ask for, and the end the job runs; its
/// files are written once now, so a path that cannot be written is said
/// before the run starts.
fn picture_of(job: &Job, output: &OutputConfig) -> Result<Option<(Picture, event::Role)>> {
    if !output.picture.wanted() {
        return Ok(None);
    }
    let (command, role) = job.picture_title();
    let picture =
        Picture::create(output.picture.clone(), output.lang, output.explain, output.recv_size, command)
            .map_err(picture_error)?
            .decoding(output.decode.clone());
    Ok(Some((picture, role)))
}

fn picture_error(e: PictureError) -> anyhow::Error {
    anyhow::anyhow!("{} {}: {}", e.flag, e.path.display(), net::describe(&e.source))
}

/// Writes the picture's last page, saying how the run ended; the run's
/// own error comes first, then a failure to write the picture.
fn finish_picture(picture: Option<&(Picture, event::Role)>, result: Result<()>) -> Result<()> {
    let Some((picture, _)) = picture else { return result };
    let status = match &result {
        Ok(()) => Status::Over,
        Err(e) => match exit::outcome(e).1 {
            Some(line) => Status::Failed(line),
            None => Status::Over,
        },
    };
    let written = picture.finish(status).map_err(picture_error);
    result.and(written)
}

/// Runs a job that reports events, then waits until its output is written:
/// events are rendered on a thread of their own, so a write that failed
/// (a closed pipe) may only be known now. It failed before whatever ended
/// the job after it, so it is the error to report: `| head` ends quietly.
fn with_report(
    output: &report::OutputConfig,
    notices: &[i18n::Msg],
    picture: Option<&(Picture, event::Role)>,
    job: impl FnOnce(sink::Report) -> Result<()>,
) -> Result<()> {
    let report = output::to_terminal(output, picture.map(|(p, role)| (p, *role))).map_err(OutputError)?;
    let told = notices
        .iter()
        .try_for_each(|message| report.emit(event::Event::Notice { conn: None, message: message.clone() }));
    let result = match told {
        Ok(()) => job(report.clone()),
        Err(e) => Err(e.into()),
    };
    let result = end(output, &report, result);
    let finished = report.finish();
    // An upload cut by stdout's reader leaving is the run's failure: the
    // output gone, which ends a run quietly, is only its cause.
    if !matches!(&result, Err(e) if input_cut(e)) {
        finished?;
    }
    finish_picture(picture, result)
}

/// Whether the run failed because stdout's reader left before the input
/// was all sent (for `netplay nc` too, whose status wraps it).
fn input_cut(err: &anyhow::Error) -> bool {
    let cut = |e: &anyhow::Error| e.is::<tcp::connect::InputCut>();
    cut(err) || err.downcast_ref::<nc::NcExit>().and_then(|nc| nc.cause.as_ref()).is_some_and(cut)
}

/// A `--json` run that failed before it started (a bad value, a server's
/// --host that does not resolve) still ends as every `--json` run does:
/// `error`, then `end`, written straight to stdout.
fn end_before_start(err: anyhow::Error) -> Result<()> {
    let (code, line) = exit::outcome_in(i18n::Lang::En, &err);
    let mut json = report::json::Json::new(Box::new(io::stdout()));
    let mut events = Vec::new();
    if let Some(line) = line {
        let message = i18n::Msg::text(line.strip_prefix("netplay: ").unwrap_or(&line).to_string());
        events.push(event::Event::Error { conn: None, message });
    }
    events.push(event::Event::End {
        exit_code: code as u8,
        bytes_in: 0,
        bytes_out: 0,
        duration: model::clock::now().0,
    });
    for event in &events {
        // Output gone: the error on stderr is all there is to say.
        if report::Reporter::event(&mut json, model::clock::now(), event).is_err() {
            break;
        }
    }
    Err(err)
}

/// With `--json`, the run's last events: its failure as an `error` (the
/// line stderr gets too), then `end` with the exit code the process is
/// about to have and the run's totals. Nothing when output is gone.
fn end(output: &OutputConfig, report: &sink::Report, result: Result<()>) -> Result<()> {
    if output.mode != Mode::Json {
        return result;
    }
    let code = match &result {
        Ok(()) => exit::Code::Ok,
        Err(e) if e.is::<OutputError>() => return result,
        Err(e) => {
            let (code, line) = exit::outcome_in(i18n::Lang::En, e);
            if let Some(line) = line {
                let message = i18n::Msg::text(line.strip_prefix("netplay: ").unwrap_or(&line).to_string());
                if let Err(gone) = report.emit(event::Event::Error { conn: None, message }) {
                    return result.and(Err(gone.into()));
                }
            }
            code
        }
    };
    let (bytes_in, bytes_out) = report.totals();
    let event =
        event::Event::End { exit_code: code as u8, bytes_in, bytes_out, duration: model::clock::now().0 };
    match report.emit(event) {
        Err(gone) if result.is_ok() => Err(gone.into()),
        _ => result,
    }
}

/// A scripted run (`--script`) ends with its verdict as an event, the exit
/// code the run is about to have: `script_end` comes just before `end`, the last JSON line.
fn script_end(file: Option<String>, report: &sink::Report, result: Result<()>) -> Result<()> {
    let Some(file) = file else { return result };
    let (code, _) = match &result {
        Ok(()) => (exit::Code::Ok, None),
        // Output is gone: nothing more can be said.
        Err(e) if e.is::<OutputError>() => return result,
        Err(e) => exit::outcome(e),
    };
    let line = result.as_ref().err().and_then(|e| e.downcast_ref::<script::Failed>()).map(|f| f.line);
    let end = event::script::ScriptEnd { conn: None, run: None, file, exit_code: code as u8, line };
    match report.emit(event::Event::ScriptEnd(end)) {
        Err(e) if result.is_ok() => Err(e.into()),
        _ => result,
    }
}
