import { AppError } from '../core/errors';
import { databaseAnswers } from './health.repository';

/** Ready means able to serve: the database answers. */
export async function assertReady(): Promise<void> {
  if (!(await databaseAnswers())) throw new AppError(503, { database: ['is unavailable'] });
}
