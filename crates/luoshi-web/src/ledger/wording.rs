//! Wording changes as the pages show them: each side's changed characters marked, and the tasks
//! each change touches (by their text), for a stored version and for an import's preview alike.

use luoshi_doc::normalize::canonical_key;
use luoshi_doc::{Change, Span, char_spans, touches_key};

/// A task a change may touch: where it links (none in a preview), its label and its text.
pub struct TaskText<'a> {
    pub href: Option<String>,
    pub label: String,
    pub text: &'a str,
}

/// A task a change touches, as a link or a label.
pub struct Touched {
    pub href: Option<String>,
    pub label: String,
}

/// One change ready to draw.
pub struct ChangeView {
    pub before: Vec<Span>,
    pub after: Vec<Span>,
    pub tasks: Vec<Touched>,
}

/// The changes with their marked characters and the tasks they touch (by the change's old or
/// new wording).
pub fn views(changes: &[Change], tasks: &[TaskText]) -> Vec<ChangeView> {
    let keys: Vec<String> = tasks.iter().map(|t| canonical_key(t.text)).collect();
    changes
        .iter()
        .map(|c| {
            let (before, after) = char_spans(&c.before, &c.after);
            let (old, new) = (canonical_key(&c.before), canonical_key(&c.after));
            let tasks = tasks
                .iter()
                .zip(&keys)
                .filter(|(_, k)| touches_key(&new, k) || touches_key(&old, k))
                .map(|(t, _)| t)
                .map(|t| Touched {
                    href: t.href.clone(),
                    label: t.label.clone(),
                })
                .collect();
            ChangeView {
                before,
                after,
                tasks,
            }
        })
        .collect()
}
