/**
 * The GraphQL client: queries and mutations over HTTP POST, subscriptions over graphql-ws on the
 * same `/graphql` path. Both carry the session's access token.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { authHeaders, subscribeSession } from './session';

/** The endpoint path, relative to the page's origin. */
export const GRAPHQL_PATH = '/graphql';

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${GRAPHQL_PATH}`;
}

/** Builds the client; the WebSocket reconnects with the new token when the session changes. */
export function createApiClient(): Client {
  const ws: WsClient = createWsClient({
    url: wsUrl(),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    connectionParams: () => authHeaders(),
  });
  subscribeSession(() => ws.terminate());
  return new Client({
    url: GRAPHQL_PATH,
    // The editor keeps its own state; lists refetch after mutations, so a document cache suffices.
    exchanges: [
      cacheExchange,
      // Before fetchExchange, or subscriptions would go over HTTP.
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: authHeaders() }),
    // GET /graphql is GraphiQL on this server: every operation is a POST.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
  });
}
