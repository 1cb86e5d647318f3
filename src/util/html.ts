/** Text into HTML, for the status page and email bodies. */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Characters that change how text around them reads rather than being read themselves: NUL and
 * other C0 controls (tab and newlines aside), and Unicode's bidirectional overrides and isolates.
 * A target's error text with U+202E reversed the rest of its table row on the status page. They
 * are shown as U+FFFD, so the text stays visibly odd instead of silently misleading.
 */
const DISRUPTIVE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!).replace(DISRUPTIVE, '\ufffd');
}
