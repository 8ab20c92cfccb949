//! The command line of `cargo xtask bench-report` and what each flag means
//! for the runs.

pub(super) const USAGE: &str =
    "usage: cargo xtask bench-report [--quick] [--no-run] [--no-peers] [--no-python] [--no-node] [--no-go] [--no-fips] [--no-remote]

  --quick      short warm-up and measurement (0.5 s + 1 s, 10 samples): minutes, not an hour
  --no-run     only rebuild BENCHMARKS.md and the chart from the last results in target/criterion
  --no-peers   leave out the peer libraries (jsonwebtoken, jwt-simple)
  --no-python  leave out the PyJWT comparison
  --no-node    leave out node's jsonwebtoken (installed from npm under the target directory)
  --no-go      leave out Go's golang-jwt (Go installed when missing and root; golang-jwt v5 vendored)
  --no-fips    leave out the FIPS build (it needs cmake and Go, installed when missing and root)
  --no-remote  leave out sign latency through SoftHSM2 and moto's KMS (needs both installed)";

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Options {
    pub(super) quick: bool,
    pub(super) run: bool,
    pub(super) peers: bool,
    pub(super) python: bool,
    pub(super) node: bool,
    pub(super) go: bool,
    pub(super) fips: bool,
    pub(super) remote: bool,
}

impl Options {
    /// `-h`/`--help` comes back as an `Err` holding the usage, which `main` prints.
    pub(super) fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Self {
            quick: false,
            run: true,
            peers: true,
            python: true,
            node: true,
            go: true,
            fips: true,
            remote: true,
        };
        for arg in args {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--no-run" => options.run = false,
                "--no-peers" => options.peers = false,
                "--no-python" => options.python = false,
                "--no-node" => options.node = false,
                "--no-go" => options.go = false,
                "--no-fips" => options.fips = false,
                "--no-remote" => options.remote = false,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
            }
        }
        Ok(options)
    }

    /// Criterion's flags for the chosen run length.
    pub(super) fn criterion_args(&self) -> &'static [&'static str] {
        if self.quick {
            &[
                "--warm-up-time",
                "0.5",
                "--measurement-time",
                "1",
                "--sample-size",
                "10",
            ]
        } else {
            &[]
        }
    }

    /// How long the programs of other languages measure each case.
    pub(super) fn external_seconds(&self) -> f64 {
        if self.quick { 1.0 } else { 3.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        Options::parse(&args)
    }

    #[test]
    fn no_flags_run_everything_at_full_length() {
        let options = parse(&[]).unwrap();
        assert_eq!(
            options,
            Options {
                quick: false,
                run: true,
                peers: true,
                python: true,
                node: true,
                go: true,
                fips: true,
                remote: true
            }
        );
        assert!(options.criterion_args().is_empty());
        assert_eq!(options.external_seconds(), 3.0);
    }

    #[test]
    fn each_flag_turns_off_its_part() {
        let options = parse(&[
            "--quick",
            "--no-run",
            "--no-peers",
            "--no-python",
            "--no-node",
            "--no-go",
            "--no-fips",
            "--no-remote",
        ]);
        let options = options.unwrap();
        assert_eq!(
            options,
            Options {
                quick: true,
                run: false,
                peers: false,
                python: false,
                node: false,
                go: false,
                fips: false,
                remote: false
            }
        );
        assert_eq!(
            options.criterion_args().join(" "),
            "--warm-up-time 0.5 --measurement-time 1 --sample-size 10"
        );
        assert_eq!(options.external_seconds(), 1.0);
    }

    #[test]
    fn help_and_unknown_arguments_show_the_usage() {
        assert_eq!(parse(&["--help"]).unwrap_err(), USAGE);
        let error = parse(&["--quick", "--fast"]).unwrap_err();
        assert!(
            error.starts_with("unknown argument \"--fast\"\n\n"),
            "{error}"
        );
        assert!(error.ends_with(USAGE), "{error}");
    }
}
