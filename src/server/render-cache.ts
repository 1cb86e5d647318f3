/**
 * A page that anyone may ask for (the status page) is rendered at most once per `maxAgeMs`,
 * however many ask, and requests that arrive during a render share it: a refresh storm or a
 * crawler costs one render a second, not one per request. The page refreshes itself every 30 s,
 * so an answer up to a second old is as true as a new one.
 */
export class RenderCache {
  private rendered: { at: number; text: string } | undefined;
  private rendering: Promise<string> | undefined;

  constructor(
    private readonly render: () => Promise<string>,
    private readonly maxAgeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next request renders afresh (after a write through the API changed what the page shows). */
  invalidate(): void {
    this.rendered = undefined;
    // A render under way began before the write: its page must not be kept either.
    this.rendering = undefined;
  }

  get(): Promise<string> {
    const now = this.now();
    if (this.rendered && now - this.rendered.at < this.maxAgeMs && now >= this.rendered.at)
      return Promise.resolve(this.rendered.text);
    if (this.rendering) return this.rendering;
    const rendering = this.render().then((text) => {
      if (this.rendering === rendering) this.rendered = { at: this.now(), text };
      return text;
    });
    this.rendering = rendering;
    const clear = () => {
      if (this.rendering === rendering) this.rendering = undefined;
    };
    rendering.then(clear, clear);
    return rendering;
  }
}
