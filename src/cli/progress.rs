//! The progress bar of a long search: on a terminal only (stderr), never
//! in piped output, never in `--json` mode's stdout.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ldfi_harness::search::Progress;
use std::io::IsTerminal;

/// A spinner on stderr showing executions, their rate, counterexamples
/// found and the solver's size; hidden unless stderr is a terminal.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar, drawn only if `show` and stderr is a terminal.
    pub fn new(show: bool) -> Bar {
        let bar = if show && std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos} executions ({per_sec}, {elapsed}) {wide_msg}",
                )
                .expect("the template is valid"),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        Bar { bar }
    }

    /// Shows where the search is (after each execution).
    pub fn update(&self, pr: &Progress<'_>) {
        if self.bar.is_hidden() || pr.verdict.is_none() {
            return;
        }
        self.bar.set_position(pr.executions);
        let solver = if pr.solver.graphs > 0 {
            format!(
                ", solver {} graphs / {} clauses",
                pr.solver.graphs, pr.solver.clauses
            )
        } else {
            String::new()
        };
        self.bar.set_message(format!(
            "{} counterexample(s){solver}, tried {}",
            pr.found, pr.trying
        ));
    }

    /// Erases the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
