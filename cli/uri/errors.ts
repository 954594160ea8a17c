/** A TARGET that does not resolve: the command prints the message as its error line. */
export class UriError extends Error {}
