//! `ldfi explain FILE --format dot|json|facts`: the lineage graph of a
//! schedule's good outcome.

use super::shared::{load_schedule, protocol, registry, CliError};
use ldfi_lineage::{export, souffle};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The schedule file.
    file: PathBuf,
    /// Output format: Graphviz DOT, JSON, or Soufflé `.facts` files.
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
    /// Directory for `--format facts` (one tab-separated file per relation,
    /// plus lineage.dl); it must not exist yet or be empty.
    #[arg(long, default_value = "lineage-facts")]
    out: PathBuf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Dot,
    Json,
    Facts,
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let s = load_schedule(&args.file)?;
    let reg = registry();
    let p = protocol(
        &reg,
        &s.protocol,
        &format!("{}: field `protocol`", args.file.display()),
    )?;
    let cfg = s.run_config(&p.info(), None, None);
    let run = p
        .run(&cfg)
        .map_err(|e| CliError::Input(format!("{}: {e}", args.file.display())))?;
    let Some(outcome) = run.outcome() else {
        return Err(CliError::Input(format!(
            "{}: the run is {}; lineage explains good outcomes (replay it to see the violation)",
            args.file.display(),
            run.verdict
        )));
    };
    // Absences (`Not`, `NoneAt`) get their negative support, as in the search.
    let opts = ldfi_lineage::LineageOptions {
        crash: cfg.crash,
        happens_before: false,
    };
    let graph = || ldfi_lineage::lineage_with(&run.trace, &outcome, &opts);
    match args.format {
        Format::Dot => print!("{}", export::to_dot(&graph())),
        Format::Json => println!("{}", export::to_json(&graph())),
        Format::Facts => {
            let dir = &args.out;
            if dir.exists()
                && std::fs::read_dir(dir)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true)
            {
                return Err(CliError::Input(format!(
                    "--out {}: exists and is not empty; choose another directory (nothing was overwritten)",
                    dir.display()
                )));
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::Input(format!("--out {}: {e}", dir.display())))?;
            let mut files = souffle::to_souffle_facts(&run.trace, &outcome);
            files.push(("lineage.dl".to_string(), souffle::LINEAGE_DL.to_string()));
            for (name, body) in &files {
                let path = dir.join(name);
                std::fs::write(&path, body)
                    .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
            }
            eprintln!("wrote {} files to {}", files.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
