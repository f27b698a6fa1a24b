//! The quarterly compilation opens cleanly: LibreOffice converts the .docx (headless) and imports
//! the PDF, which carries its text and embeds its fonts (poppler's pdftotext and pdffonts read it).
//! Its body holds the reports filed with their contributions, a table per unit up front, the
//! unfiled duties as an annex table, headings Word's navigation pane (and the PDF's bookmarks)
//! show, and dates written 2026年9月15日.
//! Both tools are Debian packages that scripts/setup.sh installs. Also the delivery job against
//! real sockets: a small SMTP server and a webhook that fails once, then accepts.

use std::process::Command;

use crate::common::{body_bytes, harness};
use luoshi_domain::accounts::Role;
use luoshi_domain::calendar::Date;
use luoshi_domain::settings::SmtpSettings;
use luoshi_store::notify::DeliveryResult;
use luoshi_store::settings::Settings;
use luoshi_store::supervision::{ItemSource, NewItem};
use luoshi_store::{Actor, Page};
use luoshi_web::Config;
use serde_json::json;

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compilation_opens_in_libreoffice_and_its_pdf_has_text_and_fonts() {
    assert!(
        tool("soffice") && tool("pdftotext"),
        "libreoffice and poppler-utils are missing: run scripts/setup.sh"
    );
    let config = Config {
        today: Date::parse("2026-09-15"),
        ..Config::default()
    };
    let h = harness(crate::common::Backend::Sqlite, "outputs", config).await;
    let (_, owed) = h
        .json(
            Some(Role::Liaison),
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
        )
        .await;
    let task = owed
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "task")
        .unwrap()["task_id"]
        .clone();
    let narrative = "完成跨境数据规则比对研究，形成试点清单初稿。";
    let (s, _) = h
        .json(
            Some(Role::Liaison),
            "POST",
            "/api/v1/reports",
            json!({"task_id": task, "period": "2026-Q3", "status": "ongoing", "progress": 40, "narrative": narrative}),
        )
        .await;
    assert_eq!(s, 201);
    // A support unit of the same task files its contribution.
    let (_, all) = h
        .json(
            Some(Role::Admin),
            "GET",
            "/api/v1/obligations?round=2026-Q3",
            json!({}),
        )
        .await;
    let support = all
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "contribution" && o["task_id"] == task)
        .expect("the task has a support unit")["unit_name"]
        .as_str()
        .unwrap()
        .to_string();
    let helper = crate::common::session_of(&h, &support, Role::Liaison).await;
    let contribution = "提供跨境数据专线接入方案，已完成两条专线勘察。";
    let (s, v) = crate::common::json_as(
        &h,
        &helper,
        "POST",
        "/api/v1/reports",
        json!({"task_id": task, "period": "2026-Q3", "status": "ongoing", "progress": 30, "narrative": contribution}),
        None,
    )
    .await;
    assert_eq!(s, 201, "{support}: {v}");
    // The office's figure for a goal's indicator: the compilation's indicators chapter shows it.
    let (_, indicators) = h
        .json(Some(Role::Admin), "GET", "/api/v1/indicators", json!(null))
        .await;
    let trade = indicators
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["subject"] == "数字贸易进出口额")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = h
        .json(
            Some(Role::Admin),
            "POST",
            &format!("/api/v1/indicators/{trade}/values"),
            json!({"values": [{"year": "2026", "period": "上半年", "value": "96.5"}]}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let dir = tempfile::tempdir().unwrap();
    let docx = body_bytes(
        h.get(Some(Role::Admin), "/compilation.docx?round=2026-Q3")
            .await,
    )
    .await;
    let pdf = body_bytes(
        h.get(Some(Role::Admin), "/compilation.pdf?round=2026-Q3")
            .await,
    )
    .await;
    assert!(
        pdf.starts_with(b"%PDF-"),
        "{:?}",
        String::from_utf8_lossy(&pdf[..pdf.len().min(200)])
    );
    {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(docx.clone())).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(
            xml.contains("<w:pStyle w:val=\"Heading1\"/>"),
            "real heading styles"
        );
        assert!(
            xml.contains("<w:pStyle w:val=\"Heading3\"/>"),
            "a task heading"
        );
        assert!(
            xml.contains("表1") && xml.contains("<w:tblHeader/>"),
            "the unit table"
        );
        assert!(xml.contains("未报送材料清单"), "the annex");
        assert!(
            xml.contains("四、目标指标完成情况")
                && xml.contains("表2")
                && xml.contains("2026年1-6月累计 96.5亿元"),
            "the indicators chapter"
        );
        assert!(
            xml.contains("2026年9月15日") && !xml.contains("2026-09-15"),
            "dates as written"
        );
        // The contribution sits after its lead report, under the task.
        let lead_at = xml.find("形成试点清单初稿").unwrap();
        let help_at = xml
            .find("已完成两条专线勘察")
            .expect("the contribution is folded in");
        assert!(help_at > lead_at);
        // The body no longer lists unfiled duties one paragraph each.
        assert!(
            !xml.contains("：待报送。"),
            "unfiled duties are in the annex table"
        );
    }
    std::fs::write(dir.path().join("c.docx"), &docx).unwrap();
    std::fs::write(dir.path().join("ours.pdf"), &pdf).unwrap();

    // LibreOffice opens the .docx and lays it out (its own PDF export proves it read the text).
    let out = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(dir.path().join("c.docx"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = |file: &str| {
        let out = Command::new("pdftotext")
            .args(["-layout"])
            .arg(dir.path().join(file))
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success(), "pdftotext {file}");
        String::from_utf8(out.stdout)
            .unwrap()
            .replace([' ', '\n'], "")
    };
    // LibreOffice reads the headings as an outline (what the navigation pane shows).
    let out = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "odt",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(dir.path().join("c.docx"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let odt = std::fs::read(dir.path().join("c.odt")).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(odt)).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut z.by_name("content.xml").unwrap(), &mut content).unwrap();
    assert!(
        content.contains("text:outline-level=\"1\"")
            && content.contains("text:outline-level=\"3\""),
        "{content}"
    );
    assert!(content.contains("<table:table "), "the tables are tables");
    let lo = text("c.pdf");
    assert!(
        lo.contains("2026年第3季度工作进展汇编") && lo.contains("形成试点清单初稿"),
        "{lo}"
    );
    assert!(lo.contains("目标指标完成情况"), "{lo}");
    // Our PDF: the text is extractable (ToUnicode maps), and every font is embedded.
    let ours = text("ours.pdf");
    assert!(
        ours.contains("工作进展汇编") && ours.contains("形成试点清单初稿"),
        "{ours}"
    );
    assert!(
        ours.contains("目标指标完成情况") && ours.contains("96.5"),
        "{ours}"
    );
    // LibreOffice opens the indicators sheet (指标表) and reads the figure and its light.
    let sheet = body_bytes(h.get(Some(Role::Admin), "/export/indicators.xlsx").await).await;
    std::fs::write(dir.path().join("ind.xlsx"), &sheet).unwrap();
    let out = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            // Comma-separated, quoted, UTF-8 (76).
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(dir.path().join("ind.xlsx"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv =
        std::fs::read_to_string(dir.path().join("ind.csv")).expect("LibreOffice read the sheet");
    let row = csv
        .lines()
        .find(|l| l.contains("数字贸易进出口额"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(row.contains("96.5"), "{row}");
    let fonts = Command::new("pdffonts")
        .arg(dir.path().join("ours.pdf"))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&fonts.stdout);
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{listing}");
    assert!(
        rows.iter().all(|r| r.contains(" yes ")),
        "not embedded: {listing}"
    );
    // LibreOffice opens our PDF too (Draw's PDF import) and reads its text.
    let out = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "odg",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(dir.path().join("ours.pdf"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let odg = std::fs::read(dir.path().join("ours.odg")).expect("LibreOffice wrote the drawing");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(odg)).unwrap();
    let mut content = String::new();
    std::io::Read::read_to_string(&mut z.by_name("content.xml").unwrap(), &mut content).unwrap();
    assert!(content.contains("工作进展汇编") && content.contains("<draw:page "));
    // Our PDF's headings are its bookmarks.
    let xml = Command::new("pdftohtml")
        .args(["-xml", "-i", "-stdout"])
        .arg(dir.path().join("ours.pdf"))
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&xml.stdout);
    let outline = &xml[xml.find("<outline").expect("the PDF has an outline")..];
    assert!(
        outline.contains("一、总体情况") && outline.contains("未报送材料清单"),
        "{outline}"
    );
    // Subset fonts keep the file small (the full Noto CJK font is over 20 MB).
    assert!(pdf.len() < 2_000_000, "{} bytes", pdf.len());
}

/// Accepts one SMTP conversation and returns what was sent.
async fn smtp_server(listener: tokio::net::TcpListener) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (stream, _) = listener.accept().await.unwrap();
    let mut r = BufReader::new(stream);
    r.get_mut().write_all(b"220 test ESMTP\r\n").await.unwrap();
    let mut all = String::new();
    let mut in_data = false;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap() == 0 {
            break;
        }
        all.push_str(&line);
        let reply: &[u8] = if in_data {
            if line == ".\r\n" {
                in_data = false;
                b"250 queued\r\n"
            } else {
                continue;
            }
        } else if line.starts_with("EHLO") {
            b"250-test\r\n250 8BITMIME\r\n"
        } else if line.starts_with("DATA") {
            in_data = true;
            b"354 go ahead\r\n"
        } else if line.starts_with("QUIT") {
            r.get_mut().write_all(b"221 bye\r\n").await.unwrap();
            break;
        } else {
            b"250 ok\r\n"
        };
        r.get_mut().write_all(reply).await.unwrap();
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_go_out_by_mail_and_webhook_with_retries() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = harness(crate::common::Backend::Sqlite, "deliver", Config::default()).await;
    let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (smtp_port, hook_port) = (
        smtp.local_addr().unwrap().port(),
        hook.local_addr().unwrap().port(),
    );
    let office = Actor::system("test");
    let settings = Settings {
        // The test relay speaks no TLS: plain, and so without signing in.
        smtp: Some(SmtpSettings {
            host: "127.0.0.1".into(),
            port: smtp_port,
            from: "luoshi@example.gov".into(),
            security: luoshi_domain::settings::SmtpSecurity::None,
            username: None,
            password: None,
        }),
        webhook: Some(format!("http://127.0.0.1:{hook_port}/notify")),
        ..Settings::default()
    };
    h.store.save_settings(&office, &settings).await.unwrap();
    let liaison = h
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.role == Role::Liaison)
        .unwrap();
    h.store
        .set_email(&office, liaison.id, Some("shangwu@example.gov"))
        .await
        .unwrap();
    // An item assigned to the liaison's unit notifies its users.
    h.store
        .create_item(
            &office,
            NewItem {
                title: "报送东盟合作进展".into(),
                source: ItemSource::Instruction,
                source_ref: "领导批示".into(),
                task_id: None,
                decision_id: None,
                lead_unit_id: liaison.unit_id,
                support_unit_ids: vec![],
                due: luoshi_testkit::day("2026-12-01"),
                opened_on: luoshi_testkit::day("2026-11-01"),
                assign: true,
            },
        )
        .await
        .unwrap();
    let mail = tokio::spawn(smtp_server(smtp));
    // The webhook answers 500 the first time, 200 the second.
    let hooks = tokio::spawn(async move {
        let mut bodies = Vec::new();
        for status in ["500 Internal Server Error", "200 OK"] {
            let (mut s, _) = hook.accept().await.unwrap();
            // Read the head, then as much body as it declares.
            let mut got = Vec::new();
            let mut buf = vec![0u8; 8192];
            loop {
                let n = s.read(&mut buf).await.unwrap();
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len || n == 0 {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            bodies.push(String::from_utf8_lossy(&got).to_string());
            s.write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes())
                .await
                .unwrap();
        }
        bodies
    });
    let state = luoshi_web::AppState {
        store: h.store.clone(),
        config: std::sync::Arc::new(Config::default()),
        memo: Default::default(),
    };
    luoshi_web::jobs::deliver_due(&state, &settings)
        .await
        .unwrap();
    let sent = mail.await.unwrap();
    assert!(
        sent.contains("RCPT TO:<shangwu@example.gov>")
            && sent.to_lowercase().contains("subject: =?utf-8?b?"),
        "{sent}"
    );
    let list = h.store.deliveries(Page::new(0, 10)).await.unwrap();
    let hook_row = list
        .items
        .iter()
        .find(|d| d.channel.code() == "webhook")
        .unwrap();
    assert_eq!((hook_row.state.code(), hook_row.attempts), ("pending", 1));
    assert!(hook_row.last_error.as_deref().unwrap().contains("500"));
    assert_eq!(
        list.items
            .iter()
            .find(|d| d.channel.code() == "smtp")
            .unwrap()
            .state
            .code(),
        "sent"
    );
    // Nothing is due during the backoff; once it has passed the webhook is retried and succeeds.
    luoshi_web::jobs::deliver_due(&state, &settings)
        .await
        .unwrap();
    assert_eq!(
        h.store
            .deliveries(Page::new(0, 10))
            .await
            .unwrap()
            .items
            .iter()
            .find(|d| d.channel.code() == "webhook")
            .unwrap()
            .attempts,
        1
    );
    // (Recording the same failure as of the epoch moves its retry time into the past.)
    h.store
        .finish_delivery(
            hook_row.id,
            DeliveryResult::Failed("webhook answered 500".into()),
            0,
        )
        .await
        .unwrap();
    luoshi_web::jobs::deliver_due(&state, &settings)
        .await
        .unwrap();
    let bodies = hooks.await.unwrap();
    assert!(
        bodies[1].contains("\"title\"") && bodies[1].contains("新的督办事项"),
        "{bodies:?}"
    );
    let list = h.store.deliveries(Page::new(0, 10)).await.unwrap();
    assert!(
        list.items.iter().all(|d| d.state.code() == "sent"),
        "{list:?}"
    );
}

/// 等保 item 14: with STARTTLS chosen, a mail server that does not offer it gets no mail (nothing
/// goes out in the clear), and the failure says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_is_never_sent_in_the_clear_when_starttls_is_required() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(smtp_server(listener));
    let smtp = SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        from: "luoshi@example.gov".into(),
        security: luoshi_domain::settings::SmtpSecurity::StartTls,
        username: Some("luoshi".into()),
        password: Some("secret-password".into()),
    };
    let sent = luoshi_web::jobs::send_mail(&smtp, "a@example.gov", "测试", "正文").await;
    assert!(sent.is_err(), "{sent:?}");
    let said = tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .map(|r| r.unwrap())
        .unwrap_or_default();
    assert!(
        !said.contains("MAIL FROM") && !said.contains("AUTH") && !said.contains("secret"),
        "{said}"
    );
}
