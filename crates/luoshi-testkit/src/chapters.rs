//! Stories in chapters. A story is a list of named chapters run in order on one context; a chapter
//! that fails is reported and the chapters after it still run, so one failure does not hide the
//! rest (the first failure is the one to read: later ones may share its cause). A chapter runs
//! alone with `LUOSHI_CHAPTER=name`: then only the chapters that build the ledger the story reads
//! (`builds`) run before it, and stories without a chapter of that name run nothing.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures_util::FutureExt;

/// A chapter's future, borrowing the story's context.
pub type Step<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// One named chapter of a story.
pub struct Chapter<C> {
    pub name: &'static str,
    /// Leaves data that later chapters read (it runs even when another chapter runs alone).
    pub builds: bool,
    pub run: for<'a> fn(&'a mut C) -> Step<'a>,
}

/// Runs the chapters in order (or the one `LUOSHI_CHAPTER` names, after the chapters that build
/// what it reads) and fails at the end naming every chapter that failed.
pub async fn run<C>(story: &str, cx: &mut C, chapters: &[Chapter<C>]) {
    let only = std::env::var("LUOSHI_CHAPTER")
        .ok()
        .filter(|s| !s.is_empty());
    if let Some(name) = &only
        && !chapters.iter().any(|c| c.name == name)
    {
        // Another story's chapter was asked for: this story has nothing to run.
        eprintln!("{story}: no chapter {name}, nothing run");
        return;
    }
    // With one chapter asked for: it, and the builders before it.
    let until = only
        .as_ref()
        .and_then(|name| chapters.iter().position(|c| c.name == name.as_str()));
    let mut failed = Vec::new();
    let mut ran = 0;
    for (at, chapter) in chapters.iter().enumerate() {
        if let Some(target) = until
            && !(at == target || (at < target && chapter.builds))
        {
            continue;
        }
        ran += 1;
        if let Err(panic) = AssertUnwindSafe((chapter.run)(cx)).catch_unwind().await {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{story}/{}: {message}", chapter.name));
        }
    }
    assert!(ran > 0, "{story}: no chapter ran");
    assert!(
        failed.is_empty(),
        "{} of {ran} chapters failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record<'a>(cx: &'a mut Vec<&'static str>) -> Step<'a> {
        Box::pin(async move { cx.push("a") })
    }
    fn broken<'a>(cx: &'a mut Vec<&'static str>) -> Step<'a> {
        Box::pin(async move {
            cx.push("b");
            panic!("chapter b broke");
        })
    }
    fn last<'a>(cx: &'a mut Vec<&'static str>) -> Step<'a> {
        Box::pin(async move { cx.push("c") })
    }

    #[test]
    fn a_failing_chapter_is_named_and_the_rest_still_run() {
        let chapters = [
            Chapter {
                name: "a",
                builds: true,
                run: record,
            },
            Chapter {
                name: "b",
                builds: false,
                run: broken,
            },
            Chapter {
                name: "c",
                builds: false,
                run: last,
            },
        ];
        let mut ran = Vec::new();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            futures_util::FutureExt::now_or_never(run("toy", &mut ran, &chapters))
        }));
        let message = outcome
            .expect_err("the story fails")
            .downcast::<String>()
            .map(|s| *s)
            .unwrap_or_default();
        assert!(message.contains("1 of 3 chapters failed"), "{message}");
        assert!(message.contains("toy/b: chapter b broke"), "{message}");
        assert_eq!(ran, ["a", "b", "c"]);
    }
}
