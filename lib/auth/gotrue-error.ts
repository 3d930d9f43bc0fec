/** An error the local auth answers in GoTrue's shape ({code, error_code, msg}); gotrueRoute writes it. */
export class GoTrueError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}
