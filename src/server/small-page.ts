/**
 * The small HTML pages behind links people follow from a message (acknowledge, confirm a
 * subscription, unsubscribe): a title, a few lines, at most a form; no JavaScript, the status
 * page's stylesheet (its href given by the caller, relative where the page may sit behind a
 * reverse proxy's path prefix).
 */
import { escapeHtml } from '../util/html.js';

export interface SmallPage {
  readonly status: number;
  readonly html: string;
}

export function smallPage(status: number, title: string, body: string, stylesheet: string): SmallPage {
  return {
    status,
    html: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} — prismwatch</title><link rel="stylesheet" href="${escapeHtml(stylesheet)}"></head>
<body class="public"><main class="acknowledge"><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>
`,
  };
}
