import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  /** Pairs, so a header can be sent twice. */
  headers?: [string, string][];
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/**
 * A bare HTTP client over a keep-alive agent: unlike supertest it sends exactly the
 * headers and bytes it is given (duplicated headers, no content type, invalid UTF-8).
 */
export class RawHttp {
  private readonly agent: http.Agent;

  constructor(
    private readonly port: number,
    maxSockets = 16,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  send({ method, path, headers = [], body }: RawRequest, timeoutMs = 10000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port: this.port, method, path, agent: this.agent, timeout: timeoutMs });
      const grouped = new Map<string, string[]>();
      for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
      for (const [name, values] of grouped) request.setHeader(name, values.length === 1 ? values[0]! : values);
      if (body !== undefined) request.setHeader('Content-Length', Buffer.byteLength(body));
      request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
      request.on('error', reject);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
        });
      });
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
