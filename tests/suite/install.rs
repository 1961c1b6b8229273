//! What `cargo install --locked --path .` gives a person beyond the binary: shell
//! completions and a manual page, generated from the clap definitions, and
//! colour that follows the conventions other tools share.

use crate::common;

use std::process::Command;

use common::netplay;

fn output_of(args: &[&str]) -> Vec<u8> {
    let out = netplay().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn completions_for_every_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = String::from_utf8(output_of(&["completions", shell])).unwrap();
        for word in ["netplay", "serve", "connect", "reply", "demo"] {
            assert!(script.contains(word), "{shell}'s script lacks {word}");
        }
    }
}

#[test]
fn the_bash_script_parses_and_completes() {
    if !common::have("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("netplay.bash");
    std::fs::write(&script, output_of(&["completions", "bash"])).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&script).output().unwrap();
    assert!(syntax.status.success(), "{}", String::from_utf8_lossy(&syntax.stderr));
    // Complete `netplay tcp s` the way bash would, and read the answer.
    let probe = format!(
        "source {}; COMP_WORDS=(netplay tcp s); COMP_CWORD=2; COMP_LINE='netplay tcp s'; COMP_POINT=13; _netplay netplay s tcp; echo \"${{COMPREPLY[@]}}\"",
        script.display()
    );
    let out = Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "serve",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_zsh_and_fish_scripts_parse_where_those_shells_are() {
    for (shell, check) in [("zsh", "-n"), ("fish", "--no-execute")] {
        if !common::have(shell) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("netplay");
        std::fs::write(&script, output_of(&["completions", shell])).unwrap();
        let out = Command::new(shell).arg(check).arg(&script).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn the_manual_page_renders() {
    if !common::have("man") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("netplay.1");
    std::fs::write(&page, output_of(&["man"])).unwrap();
    let out = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && warnings.trim().is_empty(), "{warnings}");
    for heading in ["NAME", "SYNOPSIS", "NETPLAY TCP SERVE", "NETPLAY UDP SEND", "HEX DUMP", "EXIT STATUS"] {
        assert!(text.lines().any(|l| l.trim_end() == heading), "no {heading} section:\n{text}");
    }
    assert!(text.contains("--reply"), "{text}");
    // Global options are said once, at the top, not under each subcommand.
    assert_eq!(text.matches("--decode <FORMAT>").count(), 1, "{text}");
}

/// Runs `netplay hex` on two bytes into a pipe with `env` set; whether the
/// dump came with colour escapes.
fn coloured(env: &[(&str, &str)]) -> bool {
    let mut cmd = netplay();
    cmd.args(["hex"]).write_stdin("hi");
    for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"] {
        cmd.env_remove(var);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    out.stdout.contains(&0x1b)
}

#[test]
fn colour_follows_no_color_and_clicolor() {
    assert!(!coloured(&[]), "a pipe gets no colour by default");
    assert!(coloured(&[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "0")]));
    assert!(!coloured(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), "NO_COLOR wins");
    assert!(coloured(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]), "forcing wins over TERM=dumb");
    let mut always = netplay();
    always.args(["--color", "always", "hex"]).write_stdin("hi").env("NO_COLOR", "1").env("TERM", "dumb");
    assert!(always.output().unwrap().stdout.contains(&0x1b), "--color always wins");
}

/// The commands between the first ```sh fence after `heading` and its close.
fn setup_commands(readme: &str, heading: &str) -> Vec<String> {
    let text = std::fs::read_to_string(readme).unwrap();
    let from = text.find(heading).unwrap_or_else(|| panic!("{readme} has no {heading}"));
    let section = &text[from..];
    let end = section[heading.len()..].find("\n## ").map_or(section.len(), |at| at + heading.len());
    let mut commands = Vec::new();
    let mut inside = false;
    for line in section[..end].lines() {
        if line.starts_with("```") {
            inside = line == "```sh";
            continue;
        }
        if inside {
            commands.push(line.split('#').next().unwrap().trim().to_string());
        }
    }
    commands
}

/// Issue 20: `cargo install --path .` ignored Cargo.lock (it resolved every
/// dependency anew, over the network, to versions no test ran) and warned
/// about the dev profile's sha2 spec. Both READMEs give the locked command,
/// the test command CI runs, and name the tools .ci/run installs for them.
#[test]
fn the_readme_setup_commands_are_the_ones_ci_runs() {
    let ci = std::fs::read_to_string(".ci/run").unwrap();
    let ci_lines: Vec<&str> = ci.lines().map(str::trim).collect();
    let apt = ci_lines
        .iter()
        .find(|line| line.starts_with("apt-get install"))
        .expect(".ci/run installs its tools with apt-get");
    for (readme, heading) in [("README.md", "## Set-up"), ("README.fr.md", "## Installation")] {
        let commands = setup_commands(readme, heading);
        assert!(commands.iter().any(|c| c == "cargo install --locked --path ."), "{readme}: {commands:?}");
        assert!(
            !commands.iter().any(|c| c.starts_with("cargo install") && !c.contains("--locked")),
            "{readme}: {commands:?}"
        );
        // The test command is the one CI ends with.
        assert!(commands.iter().any(|c| c == "cargo test"), "{readme}: {commands:?}");
        assert!(ci_lines.contains(&"cargo test"), ".ci/run no longer runs `cargo test`");
        // The peers the tests need are named, and CI installs them.
        let text = std::fs::read_to_string(readme).unwrap();
        for (tool, package) in [("`python3`", "python3"), ("`nc` (netcat-openbsd)", "netcat-openbsd")] {
            assert!(text.contains(tool), "{readme} does not say the tests need {tool}");
            assert!(apt.split_whitespace().any(|word| word == package), ".ci/run does not install {package}");
        }
    }
}

/// A `[profile.*.package.NAME]` in Cargo.toml whose NAME only a
/// dev-dependency brings makes `cargo install` (which builds no
/// dev-dependency) warn "profile package spec `NAME` in profile `dev` did
/// not match any packages". Such overrides live in .cargo/config.toml,
/// which `cargo install` does not read; checked here because a real
/// `cargo install` in the tests would build netplay a second time.
#[test]
fn cargo_toml_has_no_profile_override_cargo_install_would_warn_about() {
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap();
    let mut section = String::new();
    let mut dev_only = Vec::new();
    let mut overridden = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_string();
            if let Some((_, name)) = section.split_once(".package.") {
                overridden.push(name.trim_matches('"').to_string());
            }
            continue;
        }
        if section.ends_with("dev-dependencies")
            && let Some((name, _)) = line.split_once('=')
        {
            dev_only.push(name.trim().to_string());
        }
    }
    let normal: String = manifest
        .split("\n[")
        .filter(|part| part.starts_with("dependencies]") || part.contains(".dependencies]"))
        .collect();
    for name in overridden {
        let in_normal = normal.lines().any(|line| line.trim().starts_with(&format!("{name} ")));
        assert!(
            in_normal || !dev_only.contains(&name),
            "Cargo.toml overrides the profile of {name}, a dev-dependency only: move it to .cargo/config.toml"
        );
    }
    let config = std::fs::read_to_string(".cargo/config.toml").unwrap();
    assert!(config.contains("[profile.dev.package.sha2]"), "the tests' sha2 speed-up is gone");
}
