import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'urql';
import { createApiClient } from './api/client';
import { App } from './App';
import { NoticesProvider } from './ui/notices';
import './styles.css';

const client = createApiClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Provider value={client}>
      <NoticesProvider>
        <App />
      </NoticesProvider>
    </Provider>
  </StrictMode>,
);
