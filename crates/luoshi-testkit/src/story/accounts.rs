//! The ledger story's chapters about accounts: users, failed logins and their throttle, sessions.

use super::Cx;
use luoshi_domain::accounts::Role;
use luoshi_domain::registry::UnitKind;
use luoshi_store::accounts::{NewSession, NewUser};
use luoshi_store::{Actor, Page, StoreError};

/// Users and the login throttle.
pub(super) async fn accounts_and_throttle(cx: &mut Cx<'_>) {
    let store = cx.store;
    let office = store
        .create_unit(
            &cx.cli,
            "自贸试验区工作领导小组办公室",
            UnitKind::RegionalDept,
        )
        .await
        .unwrap();
    let admin = store
        .create_user(
            &cx.cli,
            NewUser {
                username: "office".into(),
                display_name: "办公室".into(),
                role: Role::Admin,
                unit_id: office.id,
                password_hash: "h".into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
    let dup = store
        .create_user(
            &cx.cli,
            NewUser {
                username: "office".into(),
                display_name: "又一个".into(),
                role: Role::Leader,
                unit_id: office.id,
                password_hash: "h".into(),
                must_change_password: false,
            },
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    let security = store
        .create_user(
            &cx.cli,
            NewUser {
                username: "secadmin".into(),
                display_name: "安全管理员".into(),
                role: Role::SecurityAdmin,
                unit_id: office.id,
                password_hash: "h".into(),
                must_change_password: true,
            },
        )
        .await
        .unwrap();
    assert!(security.must_change_password && !security.second_factor);
    // Guesses lock one account for one address only; the security administrator is alerted once.
    for _ in 0..4 {
        store
            .record_login_failure("10.0.0.9", "office", 1000)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .login_failures("10.0.0.9", "office", 1000)
            .await
            .unwrap(),
        (4, 4)
    );
    assert!(store.locked_logins(1000).await.unwrap().is_empty());
    store
        .record_login_failure("10.0.0.9", "office", 1000)
        .await
        .unwrap();
    let locked = store.locked_logins(1001).await.unwrap();
    assert_eq!(
        (locked.len(), locked[0].address.as_str(), locked[0].until),
        (1, "10.0.0.9", 1000 + 1800)
    );
    assert_eq!(
        store
            .login_failures("10.0.0.7", "office", 1001)
            .await
            .unwrap(),
        (0, 0),
        "another address is not locked"
    );
    let alerts = store.inbox(security.id, Page::all()).await.unwrap().items;
    assert_eq!(
        alerts
            .iter()
            .filter(|n| n.title.contains("安全告警"))
            .count(),
        1
    );
    store
        .unlock_login(&Actor::system("安全管理员"), "office", "10.0.0.9")
        .await
        .unwrap();
    assert!(store.locked_logins(1002).await.unwrap().is_empty());
    store
        .record_login_failure("10.0.0.9", "office", 1003)
        .await
        .unwrap();
    store
        .record_login_success("10.0.0.9", "office")
        .await
        .unwrap();
    assert_eq!(
        store
            .login_failures("10.0.0.9", "office", 1004)
            .await
            .unwrap()
            .1,
        0
    );
    cx.admin_id = admin.id;
    cx.actor = Actor {
        user_id: Some(admin.id),
        name: "office".into(),
    };
}

/// Sessions end when idle (15 minutes for an administrator), after 12 hours whatever happens, and
/// after logout; an account holds at most three at once.
pub(super) async fn sessions(cx: &mut Cx<'_>) {
    let store = cx.store;
    let open = |token: &str, now: i64| NewSession {
        token_hash: token.into(),
        user_id: cx.admin_id,
        csrf: format!("c-{token}"),
        now,
    };
    store.create_session(open("t1", 10_000)).await.unwrap();
    let live = store.session("t1", 10_100).await.unwrap().unwrap();
    assert_eq!((live.user.id, live.csrf.as_str()), (cx.admin_id, "c-t1"));
    assert!(
        store
            .session("t1", 10_100 + 15 * 60 + 1)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store.session("t1", 10_200).await.unwrap().is_none(),
        "ended is gone"
    );
    // Busy all day: still over after 12 hours.
    store.create_session(open("t3", 20_000)).await.unwrap();
    let mut t = 20_000;
    while t < 20_000 + 12 * 3600 - 600 {
        t += 600;
        assert!(store.session("t3", t).await.unwrap().is_some(), "{t}");
    }
    assert!(
        store
            .session("t3", 20_000 + 12 * 3600 + 60)
            .await
            .unwrap()
            .is_none()
    );
    store.create_session(open("t2", 30_000)).await.unwrap();
    store.delete_session("t2").await.unwrap();
    assert!(store.session("t2", 30_001).await.unwrap().is_none());
    // A fourth sign-in ends the oldest.
    for (i, token) in ["s1", "s2", "s3", "s4"].iter().enumerate() {
        store
            .create_session(open(token, 40_000 + i as i64))
            .await
            .unwrap();
    }
    assert!(store.session("s1", 40_010).await.unwrap().is_none());
    for token in ["s2", "s3", "s4"] {
        assert!(
            store.session(token, 40_010).await.unwrap().is_some(),
            "{token}"
        );
    }
}

/// Password history and forced changes; a second factor's enrolment, its codes good once (one
/// conditional update, so two processes cannot both accept a code), recovery codes, the reset.
pub(super) async fn passwords_and_second_factors(cx: &mut Cx<'_>) {
    let store = cx.store;
    let id = cx.admin_id;
    for i in 0..7 {
        store
            .set_password(&cx.actor, id, &format!("h{i}"), i == 6)
            .await
            .unwrap();
    }
    let history = store.password_history(id).await.unwrap();
    assert_eq!(
        history,
        ["h6", "h5", "h4", "h3", "h2"],
        "the last five, newest first"
    );
    let user = store.user(id).await.unwrap().unwrap();
    assert!(user.must_change_password, "a reset holds the account");
    assert!(user.password_changed_at > 0);
    store
        .set_password(&cx.actor, id, "h7", false)
        .await
        .unwrap();
    assert!(!store.user(id).await.unwrap().unwrap().must_change_password);

    assert!(store.second_factor(id).await.unwrap().is_none());
    store
        .begin_second_factor(&cx.actor, id, "totp", b"0123456789abcdef0123")
        .await
        .unwrap();
    let waiting = store.second_factor(id).await.unwrap().unwrap();
    assert_eq!(
        (waiting.secret.as_slice(), waiting.confirmed_at),
        (&b"0123456789abcdef0123"[..], None)
    );
    assert!(!store.user(id).await.unwrap().unwrap().second_factor);
    assert!(
        !store.accept_step(id, 5).await.unwrap(),
        "not before confirmation"
    );
    store
        .confirm_second_factor(&cx.actor, id, 100, &["r1".into(), "r2".into()])
        .await
        .unwrap();
    let again = store
        .begin_second_factor(&cx.actor, id, "totp", b"another-secret-here!")
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "an enrolled factor stays"
    );
    assert!(store.user(id).await.unwrap().unwrap().second_factor);
    assert!(
        !store.accept_step(id, 100).await.unwrap(),
        "the enrolment's code is spent"
    );
    assert!(store.accept_step(id, 101).await.unwrap());
    assert!(
        !store.accept_step(id, 101).await.unwrap(),
        "a code is good once"
    );
    assert!(
        !store.accept_step(id, 99).await.unwrap(),
        "never an older one"
    );
    assert!(store.use_recovery_code(id, "r1").await.unwrap());
    assert!(!store.use_recovery_code(id, "r1").await.unwrap());
    assert!(!store.use_recovery_code(id, "nope").await.unwrap());
    assert_eq!(
        store
            .second_factor(id)
            .await
            .unwrap()
            .unwrap()
            .recovery_left,
        1
    );
    store
        .reset_second_factor(&Actor::system("安全管理员"), id)
        .await
        .unwrap();
    assert!(store.second_factor(id).await.unwrap().is_none());
    assert!(!store.use_recovery_code(id, "r2").await.unwrap());
    assert!(matches!(
        store.reset_second_factor(&cx.actor, id).await,
        Err(StoreError::NotFound)
    ));
}
