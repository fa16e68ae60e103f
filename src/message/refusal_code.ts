/**
 * Why a connection (or, on UDP, a datagram) was turned away: not allowed by
 * the allow and deny lists, or too many clients.
 */
export type RefusalCode = "NOT_ALLOWED" | "SERVER_FULL";
