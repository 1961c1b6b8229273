//! The human reporter's script steps (see report/script.rs): failures in
//! red, passes in green.

use super::*;

impl Human {
    pub(super) fn script_lines(&mut self, lines: Vec<(String, bool)>) {
        for (i, (text, failed)) in lines.into_iter().enumerate() {
            let text = match (i, failed) {
                (0, false) => self.paint(Color::Green, &text),
                (_, true) => self.paint(Color::Red, &text),
                _ => self.dim(&text),
            };
            self.line(&text);
        }
    }

    pub(super) fn script_step(&mut self, step: &crate::event::script::ScriptStep) {
        let quiet = self.style.quiet && step.outcome == crate::event::script::Outcome::Passed;
        let lines = if quiet {
            Vec::new()
        } else {
            super::super::script::step_lines(self.style.lang, step, self.style.width)
        };
        self.script_lines(lines);
    }

    pub(super) fn script_end(&mut self, end: &crate::event::script::ScriptEnd) {
        let line = super::super::script::end_line(self.style.lang, end);
        self.script_lines(line.into_iter().collect());
    }
}
