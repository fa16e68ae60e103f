const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Local wall-clock time with milliseconds (`14:03:07.042`), as students read
 * it off their own clock and match it against a capture.
 */
export function clockTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${
    pad(date.getMilliseconds(), 3)
  }`;
}
