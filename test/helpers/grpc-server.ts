/**
 * A gRPC server from @grpc/grpc-js on 127.0.0.1 offering grpc.health.v1.Health/Check, plaintext
 * or TLS; `statuses` maps a service name to its answer (a number outside the enum tests that too).
 */
import * as grpc from '@grpc/grpc-js';
import { onTestFinished } from 'vitest';

/** HealthCheckRequest's service name (field 1), read without protobufjs. */
function decodeService(buffer: Buffer): { service: string } {
  return {
    service:
      buffer.length > 2 && buffer[0] === 0x0a ? buffer.subarray(2, 2 + buffer[1]!).toString('utf8') : '',
  };
}

export async function withGrpcHealthServer(
  statuses: Record<string, number>,
  tls?: { cert: string; key: string },
): Promise<{ target: string; calls: string[] }> {
  const server = new grpc.Server();
  const calls: string[] = [];
  server.addService(
    {
      Check: {
        path: '/grpc.health.v1.Health/Check',
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: decodeService,
        responseSerialize: (status: number) => Buffer.from([0x08, status]),
        responseDeserialize: (value: Buffer) => value,
      },
    } as grpc.ServiceDefinition,
    {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, number>,
        callback: grpc.sendUnaryData<number>,
      ) => {
        calls.push(call.request.service);
        const status = statuses[call.request.service];
        if (status === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else callback(null, status);
      },
    },
  );
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(
        null,
        [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
        false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  onTestFinished(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return { target: `127.0.0.1:${port}`, calls };
}
