/**
 * The GraphQL client: queries and mutations over HTTP POST, subscriptions over graphql-ws on the
 * same `/graphql` path. Both carry the session's access token.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { authFetch } from './auth';
import { getSession, subscribeSession } from './session';

/** The endpoint path, relative to the page's origin. */
export const GRAPHQL_PATH = '/graphql';

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${GRAPHQL_PATH}`;
}

/** The graphql-ws `connection_init` payload: the access token, when signed in. */
export function connectionParams(): Record<string, string> {
  const token = getSession().accessToken;
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Builds the client; the WebSocket reconnects with the new token when the access token changes. */
export function createApiClient(): Client {
  const ws: WsClient = createWsClient({
    url: wsUrl(),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    connectionParams,
  });
  let token = getSession().accessToken;
  subscribeSession(() => {
    const next = getSession().accessToken;
    if (next === token) return;
    token = next;
    // Subscriptions resubscribe on the new connection, which authenticates with the new token.
    ws.terminate();
  });
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
    // Adds the access token; on UNAUTHENTICATED refreshes it and retries once.
    fetch: authFetch,
    // GET /graphql is GraphiQL on this server: every operation is a POST.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
  });
}
