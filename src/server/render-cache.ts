/**
 * A page that anyone may ask for (the status page) is rendered at most once per `maxAgeMs`,
 * however many ask: a refresh storm or a crawler costs one render a second, not one per request.
 * The page refreshes itself every 30 s, so an answer up to a second old is as true as a new one.
 */
export class RenderCache {
  private rendered: { at: number; text: string } | undefined;

  constructor(
    private readonly render: () => string,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next request renders afresh (after a write through the API changed what the page shows). */
  invalidate(): void {
    this.rendered = undefined;
  }

  get(): string {
    const now = this.now();
    if (this.rendered && now - this.rendered.at < this.maxAgeMs && now >= this.rendered.at)
      return this.rendered.text;
    const text = this.render();
    this.rendered = { at: this.now(), text };
    return text;
  }
}
