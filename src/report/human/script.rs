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
}
