// HTML for the admin page, server-rendered: every value through `esc`, so nothing a caller
// sent (an instance id in a path, a body in the log) can become markup.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A whole page: the shell with its stylesheet and script (served by the admin listener, no CDN). */
export function pageShell(title: string, main: string, options: { live: boolean; header?: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Switchboard</title>
<link rel="stylesheet" href="/page.css">
</head>
<body${options.live ? ' data-live="1"' : ''}>
<header><a class="brand" href="/">Switchboard</a>${options.header ?? ''}</header>
<main id="main">${main}</main>
<script src="/page.js" defer></script>
</body>
</html>`;
}

/** A time as the page shows it: ISO 8601 without the milliseconds, or a dash. */
export function when(isoTime: string | null | undefined): string {
  return isoTime ? esc(isoTime.replace(/\.\d{3}Z$/, 'Z').replace('T', ' ')) : '–';
}
