import type { NextFunction, Request, Response } from 'express';

const DOCS_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * Headers that keep browsers from misusing the api's answers: no MIME sniffing, no framing, no
 * referrer leaks, and for JSON a policy that lets the answer load nothing at all.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  if (req.path.startsWith('/api/docs')) {
    // The docs UI loads its own scripts and the document, and its page carries inline styles.
    res.setHeader('Content-Security-Policy', DOCS_POLICY);
  } else if (req.path.startsWith('/api')) {
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  }
  next();
}
