/**
 * The Content-Security-Policy of the service's pages (the try-it page and the policy pages): everything from
 * this origin only, no inline script or style, no plugins, no framing. The JSON API keeps helmet's default
 * (CSP off) because browser clients on other origins (the CDS Hooks sandbox) call it. No
 * upgrade-insecure-requests: it would break the page on plain-http loopback.
 */
import type { RequestHandler, Response } from 'express';

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function setPageCsp(res: Response): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
}

export const pageCsp: RequestHandler = (_req, res, next) => {
  setPageCsp(res);
  next();
};
