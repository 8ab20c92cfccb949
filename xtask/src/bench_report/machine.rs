//! The machine the benchmarks ran on, as the report describes it.

use std::process::Command;

use time::macros::format_description;

pub(super) struct Machine {
    /// Threads available to this process: the N of the scaling goal.
    pub(super) threads: usize,
    /// CPU, cores, memory, OS, compiler and date, one list item each.
    pub(super) lines: Vec<String>,
}

impl Machine {
    /// This machine, now.
    pub(super) fn this() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let model = cpuinfo
            .lines()
            .find_map(|l| {
                let (key, value) = l.split_once(':')?;
                (key.trim() == "model name").then(|| value.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".to_owned());
        let logical = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                let kb: f64 = m
                    .lines()
                    .find(|l| l.starts_with("MemTotal:"))?
                    .split_whitespace()
                    .nth(1)?
                    .parse()
                    .ok()?;
                Some(format!("{:.0} GiB memory", kb / 1024.0 / 1024.0))
            })
            .unwrap_or_else(|| "memory unknown".to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|k| format!("Linux {}", k.trim()))
            .unwrap_or_else(|_| std::env::consts::OS.to_owned());
        let rustc = Command::new("rustc")
            .arg("-V")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "rustc version unknown".to_owned());
        let lines = vec![
            format!("CPU: {model}"),
            format!(
                "Cores: {threads} available to this process ({logical} logical CPUs listed); {memory}"
            ),
            format!("OS: {kernel} ({})", std::env::consts::ARCH),
            format!("Compiler: {rustc}, `bench` profile (release, debug line tables)"),
            format!(
                "Date: {} (UTC)",
                iso_date(time::OffsetDateTime::now_utc().date())
            ),
        ];
        Self { threads, lines }
    }
}

/// `YYYY-MM-DD`.
fn iso_date(date: time::Date) -> String {
    date.format(format_description!("[year]-[month]-[day]"))
        // Only a failing writer makes formatting fail, and a String's does not.
        .unwrap_or_else(|_| date.to_string())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn dates_are_zero_padded_year_month_day() {
        assert_eq!(iso_date(date!(2024 - 02 - 29)), "2024-02-29");
        assert_eq!(iso_date(date!(0987 - 01 - 05)), "0987-01-05");
    }

    #[test]
    fn this_machine_lists_cpu_to_date() {
        let machine = Machine::this();
        assert!(machine.threads >= 1);
        let prefixes: Vec<&str> = machine
            .lines
            .iter()
            .map(|l| l.split_once(": ").map_or("", |(p, _)| p))
            .collect();
        assert_eq!(prefixes, ["CPU", "Cores", "OS", "Compiler", "Date"]);
        let date = machine.lines[4]
            .strip_prefix("Date: ")
            .and_then(|d| d.strip_suffix(" (UTC)"))
            .unwrap();
        assert_eq!(date.len(), 10, "{date}");
        assert!(date.starts_with("20"), "{date}");
    }
}
