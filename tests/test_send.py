"""`publisher send` against a real SMTP server (aiosmtpd on 127.0.0.1): delivery, TLS, faults, re-runs.

Every fault is a real protocol event on a real connection. After each one a
re-run must serve exactly the recipients not yet served: none twice, none lost.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from publisher import build, load_settings
from publisher.mailer import Retry
from publisher.publish import build_lock
from publisher.state import open_state

from .conftest import EPOCH, ROOT, run_cli
from .mailserver import PASSWORD, USER, Inbox, refusing_port, self_signed_certificate, smtp_server
from .mailtools import UNICODE_TEASER, html_part, parse_message, text_part, write_config

PEOPLE = ["ana@example.org", "bo@example.org", "chen@example.org", "dee@example.org"]
# Faults that hit the second transaction (bo's) once: each is over by the next try.
TEMPORARY_FAULTS = [
    pytest.param(lambda inbox: inbox.drop_data.add(2), id="dropped-mid-DATA"),
    pytest.param(lambda inbox: inbox.mail_replies.update({2: "421 4.3.2 Shutting down"}), id="421"),
    pytest.param(lambda inbox: inbox.mail_replies.update({2: "451 4.3.0 Try later"}), id="451"),
    pytest.param(lambda inbox: inbox.rcpt_replies.update({PEOPLE[1]: ["450 4.2.1 Busy"]}), id="450-RCPT"),
]


@pytest.fixture
def built(project: Path, write_seed: Callable[[str, str], Path]) -> Path:
    """A built project (the bundled seeds and one teaser with CJK text and curly quotes)."""
    write_seed("wu.txt", UNICODE_TEASER + "\n")
    build(load_settings(root=project))
    return project


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def begun(project: Path) -> bool:
    """Whether a mailing is open: its bytes frozen, to be resent as they are by every re-run."""
    with open_state(load_settings(root=project).state) as state:
        return state.open_mailing() is not None


def configure(project: Path, port: int, security: str = "none", user: str = "") -> None:
    write_config(
        project,
        f'[mail]\nsender = "Desk <desk@example.org>"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
        f'smtp_security = "{security}"\nsmtp_user = "{user}"\n',
    )


def send(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`publisher send` as a real process; no pause between retries (backoff is tested on its own)."""
    return run_cli("send", "--retry-wait", "0", *args, cwd=project, env=env)


def to(*addresses: str) -> list[str]:
    return [arg for address in addresses for arg in ("--to", address)]


def test_every_recipient_gets_the_digest_once_over_one_connection(built: Path, inbox: Inbox) -> None:
    configure(built, inbox.port)
    recipients = built / "list.txt"
    assert run_cli("digest", cwd=built).returncode == 0  # the message to compare with
    recipients.write_text(
        "# readers\nAna Łopez <ana@example.org>\n吳志中 <chen@example.org>\nbo@EXAMPLE.org\n"
    )
    done = send(built, "--to-file", str(recipients), *to("bo@example.org"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == done.stderr == ""  # quiet under cron
    assert sorted(inbox.recipients()) == ["ana@example.org", "bo@example.org", "chen@example.org"]
    assert inbox.connections == 1
    eml = parse_message((built / "dist" / "digest.eml").read_bytes())
    for message in inbox.messages():
        assert message["Message-ID"] == eml["Message-ID"] and message["Subject"] == eml["Subject"]
        assert text_part(message) == text_part(eml) and html_part(message) == html_part(eml)
        assert "吳志中" in text_part(message) and "“a quiet step”" in html_part(message)
    to_headers = sorted(str(m["To"]) for m in inbox.messages())
    assert to_headers == ["Ana Łopez <ana@example.org>", "bo@example.org", "吳志中 <chen@example.org>"]
    again = run_cli("digest", cwd=built)  # marked as sent: nothing new
    assert again.returncode == 0 and again.stdout.startswith("No new excerpts since the last digest")
    assert send(built, *to(*PEOPLE)).returncode == 0
    assert len(inbox.received) == 3  # nothing new, nothing sent


def test_starttls_with_a_login_takes_the_password_from_the_environment_only(
    built: Path, tmp_path: Path
) -> None:
    cert = self_signed_certificate(tmp_path)
    env = {"SSL_CERT_FILE": str(cert[0]), "PUBLISHER_SMTP_PASSWORD": PASSWORD}
    with smtp_server("starttls", cert) as inbox:
        configure(built, inbox.port, "starttls", USER)
        wrong = send(
            built, "--verbose", *to(*PEOPLE[:2]), env=env | {"PUBLISHER_SMTP_PASSWORD": "nope-Wr0ng"}
        )
        assert wrong.returncode == 1 and "refused the login of 'editor'" in wrong.stderr
        assert "nope-Wr0ng" not in wrong.stdout + wrong.stderr
        done = send(built, "--verbose", *to(*PEOPLE[:2]), env=env)
        assert done.returncode == 0, done.stderr
        assert PASSWORD not in done.stdout + done.stderr
        assert sorted(inbox.recipients()) == PEOPLE[:2]
    assert PASSWORD not in "".join(p.read_text(errors="replace") for p in built.rglob("*") if p.is_file())


def test_implicit_tls(built: Path, tmp_path: Path) -> None:
    cert = self_signed_certificate(tmp_path)
    with smtp_server("tls", cert) as inbox:
        configure(built, inbox.port, "tls", USER)
        env = {"SSL_CERT_FILE": str(cert[0]), "PUBLISHER_SMTP_PASSWORD": PASSWORD}
        done = send(built, *to(PEOPLE[0]), env=env)
        assert done.returncode == 0, done.stderr
        assert inbox.recipients() == PEOPLE[:1]


def test_an_untrusted_certificate_is_an_error_not_a_plain_text_fallback(built: Path, tmp_path: Path) -> None:
    with smtp_server("starttls", self_signed_certificate(tmp_path)) as inbox:
        configure(built, inbox.port, "starttls", USER)
        failed = send(built, *to(PEOPLE[0]), env={"PUBLISHER_SMTP_PASSWORD": PASSWORD})
        assert failed.returncode == 1 and "TLS failed" in failed.stderr
        assert failed.stderr.count("\n") == 1 and PASSWORD not in failed.stderr
        assert inbox.received == []
    assert not begun(built)  # nothing was sent: the next run renders the digest afresh


def test_a_login_without_the_password_variable_is_one_clear_line(built: Path) -> None:
    configure(built, 2525, "starttls", USER)
    failed = send(built, *to(PEOPLE[0]), env={"PUBLISHER_SMTP_PASSWORD": ""})
    assert failed.returncode == 1
    assert failed.stderr.strip().endswith(
        "set, but the environment variable PUBLISHER_SMTP_PASSWORD is empty"
    )


def test_dry_run_prints_who_would_get_it_and_sends_nothing(built: Path, inbox: Inbox) -> None:
    configure(built, inbox.port)
    dry = send(built, "--dry-run", *to(*PEOPLE[:2]))
    assert dry.returncode == 0, dry.stderr
    assert "would send to ana@example.org" in dry.stdout and "would send to bo@example.org" in dry.stdout
    assert inbox.received == [] and inbox.connections == 0
    assert send(built, *to(*PEOPLE[:2])).returncode == 0  # the dry run marked nothing
    assert sorted(inbox.recipients()) == PEOPLE[:2]


def test_connection_refused_then_a_rerun_serves_everyone(built: Path, inbox: Inbox) -> None:
    with refusing_port() as port:
        configure(built, port)
        failed = send(built, *to(*PEOPLE))
    assert failed.returncode == 75
    assert "cannot connect" in failed.stderr and "4 recipients do not have the digest yet" in failed.stderr
    assert not begun(built)
    configure(built, inbox.port)
    assert send(built, *to(*PEOPLE)).returncode == 0
    assert sorted(inbox.recipients()) == PEOPLE


@pytest.mark.parametrize("fault", TEMPORARY_FAULTS)
def test_a_temporary_fault_leaves_one_recipient_for_the_rerun(
    built: Path, inbox: Inbox, fault: Callable[[Inbox], None]
) -> None:
    configure(built, inbox.port)
    fault(inbox)
    failed = send(built, "--retries", "0", *to(*PEOPLE))
    assert failed.returncode == 75, failed.stderr
    assert "not sent yet: bo@example.org" in failed.stderr
    assert sorted(inbox.recipients()) == [PEOPLE[0], *PEOPLE[2:]]  # the others went on
    assert send(built, *to(*PEOPLE)).returncode == 0
    assert inbox.recipients()[-1] == "bo@example.org"
    assert Counter(inbox.recipients()) == Counter(PEOPLE)  # none twice, none lost


@pytest.mark.parametrize("fault", TEMPORARY_FAULTS)
def test_a_temporary_fault_is_retried_within_the_run(
    built: Path, inbox: Inbox, fault: Callable[[Inbox], None]
) -> None:
    configure(built, inbox.port)
    fault(inbox)
    done = send(built, "--retries", "1", *to(*PEOPLE))
    assert done.returncode == 0, done.stderr
    assert Counter(inbox.recipients()) == Counter(PEOPLE)


def test_a_550_for_one_recipient_is_recorded_and_the_others_get_it(
    built: Path, inbox: Inbox, write_seed: Callable[[str, str], Path]
) -> None:
    configure(built, inbox.port)
    inbox.rcpt_replies[PEOPLE[1]] = ["550 5.1.1 No such user", "550 5.1.1 No such user"]
    failed = send(built, *to(*PEOPLE))
    assert failed.returncode == 3
    assert "refused: bo@example.org: 550 5.1.1 No such user" in failed.stderr
    assert sorted(inbox.recipients()) == [PEOPLE[0], *PEOPLE[2:]]
    again = send(built, *to(*PEOPLE))  # still refused: only bo is tried, and nobody gets a second copy
    assert again.returncode == 3 and len(inbox.received) == 3
    first_id = inbox.messages()[0]["Message-ID"]
    write_seed("later.txt", "A later report that nobody has seen yet was still being written when…\n")
    build(load_settings(root=built))  # the seeds moved on; the digest being sent does not change
    assert send(built, *to(*PEOPLE)).returncode == 0
    assert inbox.recipients()[-1] == "bo@example.org"
    assert {m["Message-ID"] for m in inbox.messages()} == {first_id}
    assert Counter(inbox.recipients()) == Counter(PEOPLE)
    new = run_cli("digest", cwd=built)  # marked when bo got it: the next digest holds the later piece
    assert "1 excerpts first seen since the last digest" in new.stdout


def test_a_sender_killed_mid_run_is_resumed_by_the_next_run(built: Path, inbox: Inbox) -> None:
    configure(built, inbox.port)
    command = [sys.executable, "-m", "publisher", "send", *to(*PEOPLE)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": str(EPOCH)}
    process = subprocess.Popen(command, cwd=built, env=env)
    inbox.kill_at_mail = (process.pid, 3)  # SIGKILL when the third transaction starts
    assert process.wait(timeout=60) == -9
    assert inbox.recipients() == PEOPLE[:2]
    assert send(built, *to(*PEOPLE)).returncode == 0
    assert inbox.recipients() == PEOPLE  # exactly the two not yet served, once each


def test_backoff_doubles_the_pause_before_each_retry() -> None:
    assert list(Retry(attempts=4, wait=5.0).pauses()) == [0.0, 5.0, 10.0, 20.0]
    assert list(Retry(attempts=1, wait=5.0).pauses()) == [0.0]


def test_one_send_at_a_time(built: Path, inbox: Inbox) -> None:
    configure(built, inbox.port)
    with build_lock(load_settings(root=built).state.with_suffix(".send.lock")):
        busy = send(built, *to(*PEOPLE))
    assert busy.returncode == 75 and "another send is running" in busy.stderr
    assert inbox.received == []


def test_send_without_recipients_is_a_usage_error(built: Path) -> None:
    done = send(built)
    assert done.returncode == 2 and "--to ADDR" in done.stderr
