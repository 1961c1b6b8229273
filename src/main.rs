//! Parse, run, and turn a failure into one line on stderr and an exit code.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        // No command: a greeting, not an error.
        print!("{}", netplay::cli::greeting());
        return ExitCode::SUCCESS;
    }
    let cli = match netplay::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version come this way too, with exit code 0,
            // unless stdout could not take them (`--help > /dev/full`).
            if let Err(e) = netplay::cli::print_error(&err)
                && err.exit_code() == 0
            {
                let (code, line) = netplay::exit::outcome(&netplay::sink::OutputError(e).into());
                if let Some(line) = line {
                    let _ = writeln!(std::io::stderr(), "{line}");
                }
                return ExitCode::from(code as u8);
            }
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
    };
    let columns = cli.columns();
    match netplay::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, line) = netplay::exit::status(&err);
            if let Some(line) = line {
                let _ = writeln!(std::io::stderr(), "{}", netplay::width::fit_stderr(&line, columns));
            }
            ExitCode::from(code)
        }
    }
}
