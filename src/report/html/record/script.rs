//! A script's steps (`--script`): on our lifeline, the terminal's line
//! for each, and its end.

use super::super::session::{Detail, Row, Tone};
use super::Recorder;
use crate::event::script::{ScriptEnd, ScriptStep};
use crate::model::clock::Stamp;

impl Recorder {
    pub(super) fn script(&mut self, s: usize, us: usize, at: Stamp, step: &ScriptStep) {
        let lang = self.session.lang;
        let failed = step.outcome != crate::event::script::Outcome::Passed;
        let tone = if failed { Tone::Error } else { Tone::Step };
        let lines = crate::report::script::step_lines(lang, step, None);
        let head = lines.first().map(|(text, _)| text.clone()).unwrap_or_default();
        let mut r = Row::new(at, Some(us), tone, head);
        for (text, bad) in lines {
            r.details.push(if bad { Detail::Warn(text) } else { Detail::Note(text) });
        }
        self.session.push(s, r, None);
    }

    pub(super) fn script_end(&mut self, s: usize, us: usize, at: Stamp, end: &ScriptEnd) {
        let lang = self.session.lang;
        if let Some((text, bad)) = crate::report::script::end_line(lang, end) {
            let tone = if bad { Tone::Error } else { Tone::Close };
            self.session.push(s, Row::new(at, Some(us), tone, text), None);
        }
    }
}
