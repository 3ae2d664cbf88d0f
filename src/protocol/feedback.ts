/**
 * `POST /cds-services/{id}/feedback` (CDS Hooks 2.0): validate, then store one JSON line per feedback item
 * with what the card was about. Stored: service, card uuid, outcome, accepted suggestion ids, override reason
 * coding, timestamps, topic / policy / payer. Not stored: any patient identifier, and not the free-text
 * `userComment` (it may contain PHI) — only its length, so "a comment was given" is still visible.
 */
import type { RequestHandler } from 'express';
import type { CardIndex, CardMetadata } from './card-index.js';
import { HttpError } from './errors.js';
import { JsonlFile } from './jsonl.js';
import { findService } from './services.js';
import { validateFeedback, type FeedbackItem } from './validate.js';

export interface FeedbackRecord {
  receivedAt: string;
  service: string;
  card: string;
  outcome: FeedbackItem['outcome'];
  acceptedSuggestions?: string[];
  overrideReason?: { system?: string; code: string; display?: string };
  userCommentLength?: number;
  outcomeTimestamp: string;
  /** false when the card is not (or no longer) in the card index, so its metadata is unknown */
  cardKnown: boolean;
  topic?: string;
  policyId?: string;
  policyVersion?: string;
  payerId?: string;
}

export interface FeedbackStore {
  append(records: readonly FeedbackRecord[]): Promise<void>;
}

/** Feedback in a JSON Lines file: JsonlFile already appends any records, so it is one. */
export class JsonlFeedbackStore extends JsonlFile implements FeedbackStore {}

/** The card's metadata; when the index cannot be read, the card counts as unknown (the feedback is still stored). */
async function cardMetadata(cardIndex: CardIndex, uuid: string): Promise<CardMetadata | undefined> {
  try {
    return await cardIndex.lookup(uuid);
  } catch {
    return undefined;
  }
}

export async function toFeedbackRecord(
  item: FeedbackItem, service: string, cardIndex: CardIndex, receivedAt: string,
): Promise<FeedbackRecord> {
  const meta = await cardMetadata(cardIndex, item.card);
  const record: FeedbackRecord = {
    receivedAt,
    service,
    card: item.card,
    outcome: item.outcome,
    outcomeTimestamp: item.outcomeTimestamp,
    cardKnown: meta !== undefined,
  };
  if (item.acceptedSuggestions) record.acceptedSuggestions = item.acceptedSuggestions.map((s) => s.id);
  const reason = item.overrideReason?.reason;
  if (reason) {
    record.overrideReason = { code: reason.code };
    if (reason.system !== undefined) record.overrideReason.system = reason.system;
    if (reason.display !== undefined) record.overrideReason.display = reason.display;
  }
  const comment = item.overrideReason?.userComment;
  if (comment !== undefined) record.userCommentLength = comment.length;
  if (meta) {
    if (meta.topic !== undefined) record.topic = meta.topic;
    if (meta.policyId !== undefined) record.policyId = meta.policyId;
    if (meta.policyVersion !== undefined) record.policyVersion = meta.policyVersion;
    if (meta.payerId !== undefined) record.payerId = meta.payerId;
  }
  return record;
}

export function feedbackHandler(deps: { cardIndex: CardIndex; feedbackStore: FeedbackStore }): RequestHandler<{ id: string }> {
  return async (req, res) => {
    const service = findService(req.params.id);
    if (!service) throw new HttpError(404, `unknown CDS service "${req.params.id}"`);
    const { feedback } = validateFeedback(req.body);
    const receivedAt = new Date().toISOString();
    const records = await Promise.all(feedback.map((item) => toFeedbackRecord(item, service.id, deps.cardIndex, receivedAt)));
    await deps.feedbackStore.append(records);
    // CDS Hooks 2.0 asks only for 200 OK; an empty JSON object keeps clients that parse the body happy.
    res.status(200).json({});
  };
}
