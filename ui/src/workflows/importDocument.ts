/** Reads an import document (Weft or n8n JSON) and names what is wrong with it. */

export type ImportFormat = 'WEFT' | 'N8N';

/** A parsed document ready to send, or a readable reason it cannot be. */
export type ParsedImport =
  | { ok: true; document: Record<string, unknown>; format: ImportFormat; name: string | null }
  | { ok: false; error: string };

/** Parses `text` and detects its format: n8n keys connections by node name, Weft lists them. */
export function parseImport(text: string): ParsedImport {
  if (!text.trim()) return { ok: false, error: 'The document is empty: paste a workflow or choose a file.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `This is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'A workflow document is a JSON object with "nodes" and "connections".' };
  }
  const document = value as Record<string, unknown>;
  if (!Array.isArray(document.nodes)) {
    return { ok: false, error: 'The document has no "nodes" list, so it is not a Weft or n8n workflow.' };
  }
  const connections = document.connections;
  let format: ImportFormat;
  if (connections === undefined || Array.isArray(connections)) format = 'WEFT';
  else if (typeof connections === 'object' && connections !== null) format = 'N8N';
  else return { ok: false, error: '"connections" must be a list (Weft) or an object keyed by node name (n8n).' };
  const name = typeof document.name === 'string' && document.name.trim() ? document.name : null;
  return { ok: true, document, format, name };
}
