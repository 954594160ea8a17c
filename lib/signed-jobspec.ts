/**
 * J, a jobspec signed by its submitter (flux-imp(8), ADR 0017):
 *
 *   J = HEADER "." PAYLOAD "." CRED
 *
 * HEADER is base64url of the JSON {"version":1,"mechanism":"munge","userid":U,
 * "owner":O,"instance":ID} (keys in this order: the IMP finds `"owner":O,` in
 * it), PAYLOAD base64url of the jobspec's JSON, and CRED a MUNGE credential
 * made by the submitter whose payload is exactly `HEADER.PAYLOAD`. Anyone
 * reads the jobspec from J without MUNGE; the IMP verifies CRED (its uid is the
 * signer) and that its payload is the rest of J (nothing was altered).
 */
export interface JHeader {
  version: 1;
  mechanism: 'munge';
  /** the submitter */
  userid: number;
  /** the instance owner it was signed for */
  owner: number;
  /** the instance (rank 0's broker.uuid) it was signed for */
  instance: string;
}

const b64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

/** the text the credential signs: HEADER.PAYLOAD */
export function signingInput(h: JHeader, jobspec: unknown): string {
  const header: JHeader = { version: 1, mechanism: 'munge', userid: h.userid, owner: h.owner, instance: h.instance };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(jobspec))}`;
}

export interface ParsedJ {
  header: JHeader;
  jobspec: unknown;
}

/** J's header and jobspec (not its signature: the IMP verifies that); an Error with one line when malformed */
export function parseJ(J: string): ParsedJ {
  const parts = J.split('.');
  if (parts.length !== 3 || !parts[2]!.startsWith('MUNGE:')) throw new Error('malformed signed jobspec: expected HEADER.PAYLOAD.MUNGE-CREDENTIAL');
  let header: JHeader;
  let jobspec: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as JHeader;
    jobspec = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw new Error('malformed signed jobspec: its header or payload is not base64url JSON');
  }
  if (typeof header !== 'object' || header === null || header.version !== 1 || header.mechanism !== 'munge') {
    throw new Error('malformed signed jobspec: unknown header version or mechanism');
  }
  if (!Number.isSafeInteger(header.userid) || !Number.isSafeInteger(header.owner) || typeof header.instance !== 'string') {
    throw new Error('malformed signed jobspec: its header lacks userid, owner or instance');
  }
  return { header, jobspec };
}
