/**
 * A response body read as text up to a limit: past it, the body is destroyed (the connection is
 * not read to its end for nothing) and the caller says what that means for it. For answers prismwatch
 * asks for and parses whole — an agent's assignment, an HTTP SD inventory.
 */
export async function readBounded(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown },
  limit: number,
): Promise<{ text: string } | { tooLarge: true }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return { tooLarge: true };
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}
