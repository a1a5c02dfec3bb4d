import { YolopsError, type YolopsErrorOptions } from '../core/errors.ts';

/** Base of the errors of src/transfer, the upload engine the CLI's `push` commands share on both targets. */
export class TransferError extends YolopsError {
  constructor(message: string, options: YolopsErrorOptions = {}) {
    super(message, options);
  }
}
