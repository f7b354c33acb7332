// Reads the Link header (RFC 8288) the list answers with when more entries follow.

/**
 * The target of the `rel="next"` link in `header`, as a path and query on `origin`; null when
 * there is none or it points at another origin (the bearer token must never follow it there).
 */
export function nextLink(header: string | null, origin: string): string | null {
  if (!header) return null;

  for (const link of splitLinks(header)) {
    const match = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!match) continue;
    const [, target = "", params = ""] = match;
    if (!relations(params).includes("next")) continue;

    const url = new URL(target, origin);
    return url.origin === new URL(origin).origin ? url.pathname + url.search : null;
  }
  return null;
}

/** Splits a header holding several links at the commas outside <…> and quotes. */
function splitLinks(header: string): string[] {
  const links: string[] = [];
  let start = 0;
  let inTarget = false;
  let inQuotes = false;
  for (let index = 0; index < header.length; index++) {
    const char = header[index];
    if (char === "<" && !inQuotes) inTarget = true;
    else if (char === ">" && !inQuotes) inTarget = false;
    else if (char === '"' && !inTarget) inQuotes = !inQuotes;
    else if (char === "," && !inTarget && !inQuotes) {
      links.push(header.slice(start, index));
      start = index + 1;
    }
  }
  links.push(header.slice(start));
  return links;
}

/** The relation types named by a link's `rel` parameter, lower-cased. */
function relations(params: string): string[] {
  const match = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
  const value = match?.[1] ?? match?.[2] ?? "";
  return value.toLowerCase().split(/\s+/).filter(Boolean);
}
