// Scrapes a URL when asked and answers with the time and size, from its own process, the way
// Prometheus would: the benchmark's own process then never pays for reading the response.
process.on('message', async (url) => {
  const started = performance.now();
  try {
    const response = await fetch(url);
    const body = await response.arrayBuffer();
    process.send?.({ ms: performance.now() - started, bytes: body.byteLength });
  } catch (error) {
    process.send?.({ ms: Number.NaN, bytes: 0, error: String(error?.cause ?? error) });
  }
});
