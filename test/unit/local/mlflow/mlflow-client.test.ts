import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlflowApiError, MlflowClient } from '../../../../src/local/mlflow/mlflow-client.ts';

// A loopback HTTP server answering as MLflow's REST API does for the cases the client must tell apart.
let server: Server;
let client: MlflowClient;
beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const name = url.searchParams.get('experiment_name');
    const answer = (status: number, body: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (name === 'known') return answer(200, { experiment: { experiment_id: '7', name } });
    if (name === 'missing') return answer(404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Could not find experiment with name '${name}'` });
    // A server error whose text happens to mention a 404: the status decides, not the message.
    return answer(500, { error_code: 'INTERNAL_ERROR', message: 'upstream said HTTP 404 while reading the store' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new MlflowClient(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('MlflowClient', () => {
  it('finds an experiment by name, and answers undefined for a 404', async () => {
    expect(await client.experimentId('known')).toBe('7');
    expect(await client.experimentId('missing')).toBeUndefined();
  });

  it('throws an MlflowApiError carrying the HTTP status and MLflow error code for any other failure', async () => {
    const error = await client.experimentId('broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ status: 500, errorCode: 'INTERNAL_ERROR' });
    expect((error as Error).message).toBe('MLflow GET experiments/get-by-name?experiment_name=broken answered HTTP 500 INTERNAL_ERROR: upstream said HTTP 404 while reading the store');
  });
});
