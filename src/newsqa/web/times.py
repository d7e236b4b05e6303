"""Times on the page in the visitor's own zone. The server writes each moment as a
`<time datetime="…Z">` element whose text is the server's local time (what is read before the
page's script runs, or without it); `LOCAL_TIMES`, run in the browser, rewrites their text in
the browser's zone, for what is on the page and what comes later (an answer, a reload). A
publication date without a time is a day, not a moment: written as it is, never shifted."""

from __future__ import annotations

import html
from datetime import UTC, datetime, time

__all__ = ["LOCAL_TIMES", "day_html", "has_time", "moment_html", "stamp_html"]

# the three ways a moment is shown, a class each (the chat's sanitizer keeps a class, not a
# data- attribute): the index's last update, an article's publication, an answer's "as of" day
STAMP, MOMENT, DAY = "nq-stamp", "nq-moment", "nq-day"


def has_time(when: datetime) -> bool:
    """Whether `when` is a moment (a time with its zone) rather than a day: naive times are
    in no known zone, and midnight exactly is how a day alone is written with a zone."""
    return when.tzinfo is not None and when.timetz().replace(tzinfo=None) != time()


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _zone(local: datetime) -> str:
    return local.tzname() or local.strftime("%z")


def _element(when: datetime, kind: str, text: str) -> str:
    return f'<time datetime="{_utc(when)}" class="{kind}">{html.escape(text)}</time>'


def stamp_html(iso: str) -> str:
    """A stored time (ISO, UTC when no zone is written) as "2024-05-01 14:30 CEST", in the
    visitor's zone once the page's script runs."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return html.escape(iso[:16].replace("T", " "))
    if when.tzinfo is None:  # (written in UTC, without saying so)
        when = when.replace(tzinfo=UTC)
    local = when.astimezone()
    return _element(when, STAMP, f"{local:%Y-%m-%d %H:%M} {_zone(local)}")


def moment_html(when: datetime | None) -> str:
    """A publication: "10 Feb 2024, 08:00 CET" in the visitor's zone when it has a time and a
    zone; the day alone, as written, when not ("10 Feb 2024"), or "undated"."""
    if when is None:
        return "undated"
    if not has_time(when):
        return f"{when:%-d %b %Y}"
    local = when.astimezone()
    return _element(when, MOMENT, f"{local:%-d %b %Y, %H:%M} {_zone(local)}")


def day_html(when: datetime) -> str:
    """The day of `when` ("10 Feb 2024"): in the visitor's zone when it is a moment, as written
    when a day."""
    if not has_time(when):
        return f"{when:%-d %b %Y}"
    return _element(when, DAY, f"{when.astimezone():%-d %b %Y}")


# (run by the page on load: once per browser page, it watches for the elements added later)
LOCAL_TIMES = """() => {
  if (window.__newsqaLocalTimes) return;
  window.__newsqaLocalTimes = true;
  const format = (options) => new Intl.DateTimeFormat('en-US', {hourCycle: 'h23', ...options});
  const numeric = format({year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit',
    minute: '2-digit', timeZoneName: 'short'});
  const written = format({year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit',
    minute: '2-digit', timeZoneName: 'short'});
  const parts = (formatter, when) => Object.fromEntries(
    formatter.formatToParts(when).map((p) => [p.type, p.value]));
  const SHOWN = {
    'nq-stamp': (p) => `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`,
    'nq-moment': (p) => `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`,
    'nq-day': (p) => `${p.day} ${p.month} ${p.year}`,
  };
  const localise = () => {
    for (const element of document.querySelectorAll('time.nq-stamp, time.nq-moment, time.nq-day')) {
      const when = new Date(element.getAttribute('datetime'));
      if (isNaN(when)) continue;
      const kind = Object.keys(SHOWN).find((k) => element.classList.contains(k));
      const text = SHOWN[kind](parts(kind === 'nq-stamp' ? numeric : written, when));
      // (compared first: setting it is a change the observer sees again)
      if (element.textContent !== text) element.textContent = text;
    }
  };
  localise();
  new MutationObserver(localise).observe(document.body,
    {subtree: true, childList: true, characterData: true});
}"""
