/**
 * What the tests read from an HTML body: CSP and referrer <meta> tags and <script> elements
 * (src, integrity), through parse5, which never rejects input the way browsers never do.
 */
import { type DefaultTreeAdapterMap, parse } from 'parse5';

type Node = DefaultTreeAdapterMap['childNode'] | DefaultTreeAdapterMap['document'];

interface HtmlFacts {
  readonly cspMeta: string[];
  readonly referrerMeta?: string;
  readonly scripts: Array<{ src: string; integrity?: string }>;
}

export function isHtml(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}

export function readHtml(body: string): HtmlFacts {
  const facts: HtmlFacts = { cspMeta: [], scripts: [] };
  let referrer: string | undefined;
  const visit = (node: Node) => {
    if ('tagName' in node) {
      const attrs = new Map(node.attrs.map((attr) => [attr.name.toLowerCase(), attr.value]));
      if (node.tagName === 'meta') {
        if (attrs.get('http-equiv')?.toLowerCase() === 'content-security-policy' && attrs.has('content')) {
          facts.cspMeta.push(attrs.get('content')!);
        }
        if (attrs.get('name')?.toLowerCase() === 'referrer' && attrs.has('content'))
          referrer = attrs.get('content');
      }
      if (node.tagName === 'script' && attrs.has('src')) {
        facts.scripts.push({
          src: attrs.get('src')!,
          ...(attrs.has('integrity') ? { integrity: attrs.get('integrity')! } : {}),
        });
      }
    }
    if ('childNodes' in node) for (const child of node.childNodes) visit(child as Node);
    if ('content' in node && node.content) visit(node.content as unknown as Node);
  };
  visit(parse(body));
  return referrer === undefined ? facts : { ...facts, referrerMeta: referrer };
}
