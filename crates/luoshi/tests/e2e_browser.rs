//! End to end in a real browser: the `luoshi` binary serves a fresh ledger; Debian's headless
//! Chromium, driven through chromedriver (WebDriver) from Rust, logs in as the first-run admin,
//! uploads a document, confirms the preview, finds its tasks, and is sent back to the login page
//! after logging out; then a liaison officer files a quarterly report, the office returns it with a
//! reason, the officer revises it and the office accepts it. Needs `chromium` and `chromium-driver` (scripts/setup.sh installs them).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

/// Kills a child process when dropped, so a failing test leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `luoshi serve` on a fresh database; returns the guard, the base URL and the admin password.
fn start_server(db: &Path) -> (Guard, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_luoshi"))
        .args([
            "serve",
            "--db",
            db.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            // After the fourth quarter's deadlines: duties are late, so 催报 has work to do.
            "--today",
            "2026-12-28",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let guard = Guard(child);
    let mut said_where = false;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        // The first admin's password is in a file only its owner can read, never on stdout.
        assert!(!line.contains("密码："), "a password on stdout: {line}");
        said_where |= line.contains("luoshi-initial-admin.txt");
        if let Some(url) = line.strip_prefix("落实已启动：") {
            assert!(said_where, "the first start says where the password is");
            let file = db.parent().unwrap().join("luoshi-initial-admin.txt");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(mode & 0o077, 0, "the password file is the owner's alone");
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let password = text
                .lines()
                .find_map(|l| l.strip_prefix("密码："))
                .expect("the file holds the password")
                .to_string();
            return (guard, url.trim_end_matches('/').to_string(), password);
        }
    }
    panic!("server did not start");
}

fn start_chromedriver() -> (Guard, u16) {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect(
            "chromedriver must be installed (Debian package chromium-driver; scripts/setup.sh)",
        );
    let guard = Guard(child);
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (guard, port)
}

/// Saves a screenshot when `LUOSHI_SCREENSHOTS` names a folder (for looking at the pages).
async fn shot(c: &fantoccini::Client, name: &str) -> Result<(), Box<dyn std::error::Error>> {
    if let Some(dir) = std::env::var_os("LUOSHI_SCREENSHOTS") {
        let png = c.screenshot().await?;
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), png)?;
    }
    Ok(())
}

/// Waits until the browser's path starts with `prefix` (navigation after a click is asynchronous).
async fn wait_path(c: &fantoccini::Client, prefix: &str) -> Result<(), Box<dyn std::error::Error>> {
    let start = Instant::now();
    loop {
        let url = c.current_url().await?;
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if path.starts_with(prefix) {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(15) {
            return Err(format!("still at {path}, expected {prefix}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

type R = Result<(), Box<dyn std::error::Error>>;

async fn login(c: &fantoccini::Client, base: &str, user: &str, pw: &str) -> R {
    login_otp(c, base, user, pw, None).await
}

/// Signs in with a second-factor code (or a recovery code).
async fn login_otp(
    c: &fantoccini::Client,
    base: &str,
    user: &str,
    pw: &str,
    otp: Option<&str>,
) -> R {
    c.goto(&format!("{base}/login")).await?;
    c.find(Locator::Id("username"))
        .await?
        .send_keys(user)
        .await?;
    c.find(Locator::Id("password")).await?.send_keys(pw).await?;
    if let Some(otp) = otp {
        c.find(Locator::Id("otp")).await?.send_keys(otp).await?;
    }
    c.find(Locator::Id("login")).await?.click().await?;
    // Signed in when the browser has left the login page.
    let start = Instant::now();
    while c.current_url().await?.path().starts_with("/login") {
        if start.elapsed() > Duration::from_secs(15) {
            return Err(format!("{user} could not sign in").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn logout(c: &fantoccini::Client) -> R {
    c.find(Locator::Css("header form button"))
        .await?
        .click()
        .await?;
    wait_path(c, "/login").await
}

/// GETs a path with a session cookie over plain HTTP/1.1 and returns the body.
fn http_get(base: &str, path: &str, cookie: &str) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr)?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: luoshi_session={cookie}\r\nConnection: close\r\n\r\n"
    )?;
    let mut all = Vec::new();
    s.read_to_end(&mut all)?;
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8_lossy(&all[..split]).to_string();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "{head}"
    );
    Ok(all[split + 4..].to_vec())
}

/// Fills and sends the report form on a task's reporting page.
async fn file(c: &fantoccini::Client, narrative: &str) -> R {
    c.find(Locator::Css("select[name=status] option[value=ongoing]"))
        .await?
        .click()
        .await?;
    let progress = c.find(Locator::Css("input[name=progress]")).await?;
    progress.clear().await?;
    progress.send_keys("40").await?;
    c.find(Locator::Css("textarea[name=narrative]"))
        .await?
        .send_keys(narrative)
        .await?;
    c.find(Locator::Css(".file-form button"))
        .await?
        .click()
        .await?;
    wait_msg(c).await
}

/// Waits for the redirect after a form post: the page comes back with its message box, in the
/// style of what happened (`done`), and no message text in its address.
async fn wait_msg(c: &fantoccini::Client) -> R {
    let start = Instant::now();
    loop {
        if let Ok(el) = c.find(Locator::Css(".flash")).await {
            let class = el.attr("class").await?.unwrap_or_default();
            if !class.contains("done") {
                return Err(format!("the post was refused: {}", el.text().await?).into());
            }
            let url = c.current_url().await?;
            if url.query().unwrap_or("").contains("msg=") {
                return Err(format!("message text in the URL: {url}").into());
            }
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(15) {
            return Err("no message after posting the form".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_upload_confirm_and_find_the_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, password) = start_server(&dir.path().join("e2e.db"));
    let (_driver, port) = start_chromedriver();
    let profile = dir.path().join("chromium-profile");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display())
            ]
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => unreachable!(),
    };
    let c = ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session in headless Chromium");

    let result = async {
        // Signed out, the ledger sends the browser to the login page.
        c.goto(&format!("{base}/tasks")).await?;
        wait_path(&c, "/login").await?;
        c.find(Locator::Id("username"))
            .await?
            .send_keys("admin")
            .await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(&password)
            .await?;
        c.find(Locator::Id("login")).await?.click().await?;
        // The first-start password must be changed first: every page leads to 我的账户.
        wait_path(&c, "/account").await?;
        assert!(
            c.source().await?.contains("初始密码"),
            "asks for a new password"
        );
        c.goto(&format!("{base}/tasks")).await?;
        wait_path(&c, "/account").await?;
        let initial = password.clone();
        let password = "Tq4#Vr8!mZk2w".to_string();
        c.find(Locator::Css("input[name=current]"))
            .await?
            .send_keys(&initial)
            .await?;
        c.find(Locator::Css("input[name=password]"))
            .await?
            .send_keys(&password)
            .await?;
        c.find(Locator::Css("form[action^='/account/password'] button"))
            .await?
            .click()
            .await?;
        wait_path(&c, "/login").await?;
        // Then the office's administrator enrols a second factor, drawn as a QR code.
        login(&c, &base, "admin", &password).await?;
        wait_path(&c, "/account").await?;
        assert!(c.source().await?.contains("动态口令"));
        c.find(Locator::Id("totp-begin")).await?.click().await?;
        wait_msg(&c).await?;
        c.find(Locator::Id("totp-qr")).await?;
        let secret = c.find(Locator::Id("totp-secret")).await?.text().await?;
        let bytes = luoshi_store::accounts::second_factor::secret_from_text(&secret).unwrap();
        let totp = luoshi_store::accounts::second_factor::Totp::new(&bytes, "admin").unwrap();
        c.find(Locator::Css("input[name=code]"))
            .await?
            .send_keys(&totp.code_at(luoshi_store::now()))
            .await?;
        c.find(Locator::Id("totp-confirm")).await?.click().await?;
        wait_path(&c, "/account/second-factor/confirm").await?;
        let codes_list = c.find(Locator::Id("recovery-codes")).await?.text().await?;
        let mut recovery: Vec<String> = codes_list.split_whitespace().map(str::to_string).collect();
        assert_eq!(recovery.len(), 10, "{codes_list}");
        shot(&c, "recovery-codes").await?;
        c.goto(&format!("{base}/tasks")).await?;
        wait_path(&c, "/tasks").await?;

        // Upload one of the project's own samples and confirm its preview.
        let sample = dir.path().join("port_plan.txt");
        std::fs::write(
            &sample,
            luoshi_store::samples::sample("02_port_logistics_plan.txt"),
        )?;
        c.goto(&format!("{base}/import")).await?;
        c.find(Locator::Id("file"))
            .await?
            .send_keys(sample.to_str().unwrap())
            .await?;
        c.find(Locator::Id("upload")).await?.click().await?;
        wait_path(&c, "/import/").await?;
        let kind = c.find(Locator::Id("kind")).await?.text().await?;
        assert!(kind.contains("新文件") && kind.contains("6"), "{kind}");
        let preview = c.source().await?;
        assert!(
            preview.contains("★") && preview.contains("钦州港片区管委会"),
            "preview lacks units"
        );
        shot(&c, "preview").await?;
        c.find(Locator::Id("confirm")).await?.click().await?;
        wait_path(&c, "/documents/").await?;
        assert!(c.source().await?.contains("已导入，新增任务 6 项"));

        // Find its tasks in the ledger.
        c.goto(&format!("{base}/tasks")).await?;
        c.find(Locator::Id("q"))
            .await?
            .send_keys("海铁联运")
            .await?;
        c.find(Locator::Id("filter")).await?.click().await?;
        wait_path(&c, "/tasks?").await?;
        let table = c.find(Locator::Id("tasks")).await?.text().await?;
        assert!(
            table.contains("加密海铁联运班列") && table.contains("自治区交通运输厅"),
            "{table}"
        );
        shot(&c, "tasks").await?;
        c.find(Locator::LinkText("加密海铁联运班列"))
            .await?
            .click()
            .await?;
        wait_path(&c, "/tasks/").await?;
        shot(&c, "task").await?;
        let task = c.source().await?;
        assert!(
            task.contains("责任单位") && task.contains("★牵头"),
            "task page"
        );

        let task_path = c.current_url().await?.path().to_string();
        let task_id = task_path.trim_start_matches("/tasks/").to_string();

        // Logging out ends the session.
        c.find(Locator::Css("header form button"))
            .await?
            .click()
            .await?;
        wait_path(&c, "/login").await?;
        c.goto(&format!("{base}/tasks")).await?;
        wait_path(&c, "/login").await?;

        // A quarter's report: the lead unit's liaison files it, the office returns it with a
        // reason, the liaison revises it, the office accepts it.
        let store = luoshi_store_sql::SqlStore::open_sqlite(&dir.path().join("e2e.db")).await?;
        let unit = luoshi_store::registry::RegistryStore::unit_by_name(&store, "自治区交通运输厅")
            .await?
            .expect("imported");
        luoshi_store::accounts::AccountsStore::create_user(
            &store,
            &luoshi_store::Actor::system("e2e"),
            luoshi_store::accounts::NewUser {
                username: "jiaotong".into(),
                display_name: "交通联络员".into(),
                role: luoshi_domain::accounts::Role::Liaison,
                unit_id: unit.id,
                password_hash: luoshi_store::accounts::credentials::hash_password("Jiaotong#2026"),
                must_change_password: false,
            },
        )
        .await?;
        login(&c, &base, "jiaotong", "Jiaotong#2026").await?;
        c.goto(&format!("{base}/reporting")).await?;
        assert!(
            c.source().await?.contains("加密海铁联运班列"),
            "the liaison owes it"
        );
        c.find(Locator::Css(&format!(
            "#mine a[href^='/reporting/tasks/{task_id}/']"
        )))
        .await?
        .click()
        .await?;
        wait_path(&c, &format!("/reporting/tasks/{task_id}/")).await?;
        let report_url = c.current_url().await?.to_string();
        // The task's target is an indicator; the liaison files its figure with the report, in
        // 列 where the indicator counts 万列.
        let trains = luoshi_store::indicators::IndicatorsStore::indicators(
            &store,
            &luoshi_store::indicators::IndicatorFilter::default(),
        )
        .await?
        .into_iter()
        .find(|i| i.subject == "海铁联运班列开行量")
        .expect("the port plan's target");
        let field = |f: &str| format!("[name=iv_{}_{f}]", trains.id);
        c.find(Locator::Css(&format!(
            "select{} option[value=Q3]",
            field("period")
        )))
        .await?
        .click()
        .await?;
        c.find(Locator::Css(&field("value")))
            .await?
            .send_keys("8200")
            .await?;
        let unit_field = c.find(Locator::Css(&field("unit"))).await?;
        unit_field.clear().await?;
        unit_field.send_keys("列").await?;
        file(&c, "班列开行量同比增长，新开两条线路。").await?;
        assert!(c.source().await?.contains("已报送（第 1 版）"));
        assert!(
            c.source().await?.contains("2026年1-9月累计 0.82万列"),
            "the report shows its figure, converted"
        );
        shot(&c, "report-filed").await?;
        logout(&c).await?;

        login_otp(&c, &base, "admin", &password, recovery.pop().as_deref()).await?;
        // Not yet accepted: the indicator has nothing to judge.
        let indicator_url = format!("{base}/indicators/{}", trains.id);
        c.goto(&indicator_url).await?;
        let light = |c: &fantoccini::Client| {
            let c = c.clone();
            async move {
                c.find(Locator::Css("#indicator-status .badge"))
                    .await?
                    .attr("data-light")
                    .await
            }
        };
        assert_eq!(light(&c).await?.as_deref(), Some("grey"));
        c.goto(&report_url).await?;
        c.find(Locator::Css("input[name=reason]"))
            .await?
            .send_keys("请补充线路名称和开行班次")
            .await?;
        c.find(Locator::Css("button[value=return]"))
            .await?
            .click()
            .await?;
        wait_msg(&c).await?;
        assert!(c.source().await?.contains("已退回"));
        logout(&c).await?;

        login(&c, &base, "jiaotong", "Jiaotong#2026").await?;
        c.goto(&format!("{base}/inbox")).await?;
        assert!(
            c.source().await?.contains("请补充线路名称和开行班次"),
            "inbox"
        );
        c.goto(&report_url).await?;
        // The revision form starts from the version returned.
        let form = c
            .find(Locator::Css("textarea[name=narrative]"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(
            form.contains("班列开行量同比增长"),
            "the revision keeps the text: {form}"
        );
        c.find(Locator::Css("textarea[name=narrative]"))
            .await?
            .clear()
            .await?;
        file(&c, "新开钦州—重庆、钦州—成都两条线路，每周各四班。").await?;
        assert!(c.source().await?.contains("已报送（第 2 版）"));
        logout(&c).await?;

        login_otp(&c, &base, "admin", &password, recovery.pop().as_deref()).await?;
        c.goto(&report_url).await?;
        c.find(Locator::Css("button[value=accept]"))
            .await?
            .click()
            .await?;
        wait_msg(&c).await?;
        let page = c.source().await?;
        assert!(
            page.contains("已采纳") && page.contains("第 2 版") && page.contains("请补充线路名称")
        );
        shot(&c, "report-accepted").await?;
        // Accepted, the figure counts: 0.82 of the 0.9万列 expected by September is yellow, and
        // the page says why; the returned version's figure is kept as history.
        c.goto(&indicator_url).await?;
        let values = c.find(Locator::Id("values")).await?.text().await?;
        assert_eq!(light(&c).await?.as_deref(), Some("yellow"), "{values}");
        let status = c
            .find(Locator::Id("indicator-status"))
            .await?
            .text()
            .await?;
        assert!(
            status.contains("应达 0.9") && status.contains("实际 0.82"),
            "{status}"
        );
        let values = c.find(Locator::Id("values")).await?.text().await?;
        assert!(
            values.contains("已采纳") && values.contains("已退回"),
            "{values}"
        );
        shot(&c, "indicator-after-review").await?;
        c.goto(&format!("{base}/reporting")).await?;
        assert!(c.source().await?.contains("各单位报送情况"));
        shot(&c, "reporting-office").await?;
        // 一键催报: every unit with a late duty is reminded once.
        c.find(Locator::Id("remind-all")).await?.click().await?;
        wait_msg(&c).await?;
        assert!(c.source().await?.contains("已向 "), "催报 sent");
        // The compilation, downloaded with the office's session, opens in LibreOffice.
        let cookie = c
            .get_named_cookie("luoshi_session")
            .await?
            .value()
            .to_string();
        let docx = http_get(&base, "/compilation.docx?round=2026-Q4", &cookie)?;
        let path = dir.path().join("c.docx");
        std::fs::write(&path, &docx)?;
        let out = Command::new("soffice")
            .args([
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(&path)
            .env("HOME", dir.path())
            .output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = Command::new("pdftotext")
            .arg(dir.path().join("c.pdf"))
            .arg("-")
            .output()?;
        let text = String::from_utf8_lossy(&text.stdout).replace([' ', '\n'], "");
        assert!(
            text.contains("新开钦州—重庆") && text.contains("未报送材料清单"),
            "the compilation holds the accepted report and the annex: {text}"
        );
        // At 1024 px the header stays on one line.
        c.set_window_size(1024, 768).await?;
        let height = c
            .execute(
                "return document.querySelector('header').offsetHeight",
                vec![],
            )
            .await?;
        assert!(
            height.as_f64().unwrap_or(999.0) < 60.0,
            "the header wraps at 1024 px: {height}"
        );
        shot(&c, "header-1024").await?;
        logout(&c).await?;
        // The late unit's liaison finds the 催报 in its inbox.
        login(&c, &base, "jiaotong", "Jiaotong#2026").await?;
        c.goto(&format!("{base}/inbox")).await?;
        assert!(
            c.source().await?.contains("催报"),
            "the reminder reached the unit"
        );
        c.goto(&format!("{base}/dashboard")).await?;
        assert!(c.source().await?.contains("<svg"));
        shot(&c, "dashboard").await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    }
    .await;
    c.close().await.ok();
    result.unwrap();
}
