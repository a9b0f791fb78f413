import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';

/**
 * Lets handler errors reach NatsServiceTransport unchanged. Nest's default RPC filter replaces
 * every error that is not an RpcException with "Internal server error", which would erase the
 * code of a ProtocolError; the transport maps errors itself (ProtocolError keeps its code,
 * anything else becomes INTERNAL and is logged). Non-RPC contexts (HTTP in a hybrid app) get
 * Nest's default behaviour.
 */
@Catch()
export class RpcErrorFilter extends BaseExceptionFilter {
  /** Re-throws in RPC contexts; delegates to Nest's base filter elsewhere. */
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') return throwError(() => exception);
    super.catch(exception, host);
  }
}
