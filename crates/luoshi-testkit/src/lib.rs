//! Fixtures for tests and benchmarks, kept out of the production crates: the storage stories
//! (one sequence of operations every backend runs; both backends must end with identical dumps),
//! and the deadline-rush fixture shared by `luoshi bench rush` and the crash test.

pub mod chapters;
pub mod rush;
pub mod story;
pub mod story_work;

use luoshi_store::ledger::ImportInput;

/// Parses one of our own sample files into an import input (it must parse).
pub fn input(file_name: &str, bytes: &[u8]) -> ImportInput {
    ImportInput::parse(file_name, bytes).expect("sample parses")
}

/// A date written in a test (`2026-09-30`); panics on a typo.
pub fn day(s: &str) -> luoshi_domain::calendar::Date {
    luoshi_domain::calendar::Date::parse(s).unwrap_or_else(|| panic!("not a date: {s}"))
}

/// A period key written in a test (`2026-Q3`); panics on a typo.
pub fn period(s: &str) -> luoshi_domain::periods::PeriodKey {
    luoshi_domain::periods::PeriodKey::parse(s).unwrap_or_else(|| panic!("not a period: {s}"))
}

/// The second-factor secret test accounts enrol (20 bytes, like a real one).
pub const TEST_SECRET: &[u8] = b"luoshi-test-secret-2";

/// Enrols [`TEST_SECRET`] as the account's second factor, confirmed, with `recovery` codes;
/// returns the codes. Fixtures for roles that must have one (`Role::needs_second_factor`).
pub async fn enrol_test_factor(
    store: &dyn luoshi_store::Store,
    user_id: luoshi_store::Id,
    recovery: usize,
) -> Vec<String> {
    use luoshi_store::accounts::second_factor::{TOTP, new_recovery_codes, recovery_hash};
    let actor = luoshi_store::Actor::system("test");
    store
        .begin_second_factor(&actor, user_id, TOTP, TEST_SECRET)
        .await
        .expect("second factor begins");
    let codes: Vec<String> = new_recovery_codes().into_iter().take(recovery).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    // Step 0: every real code is later, so the fixture's codes all sign in.
    store
        .confirm_second_factor(&actor, user_id, 0, &hashes)
        .await
        .expect("second factor confirms");
    codes
}

/// The code an authenticator app would show now for [`TEST_SECRET`], `ahead` steps on (each
/// login in a test uses a later step: a code is good once).
pub fn test_code(ahead: i64) -> String {
    let t = luoshi_store::accounts::second_factor::Totp::new(TEST_SECRET, "test").unwrap();
    t.code_at(luoshi_store::now() + ahead * 30)
}
