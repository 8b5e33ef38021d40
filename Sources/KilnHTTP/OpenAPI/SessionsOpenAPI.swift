/// Browser sessions and upgrade tickets in `/openapi.json`, merged like an app's fragment.
enum SessionsOpenAPI {
    static let fragment = #"""
{
 "tags": [
  {
   "name": "Sessions",
   "description": "Browser logins carried by an HttpOnly cookie, CSRF tokens, and single-use WebSocket/SSE tickets."
  }
 ],
 "paths": {
  "/v1/sessions": {
   "post": {
    "operationId": "openSession",
    "tags": [
     "Sessions"
    ],
    "security": [],
    "summary": "Log in from a browser: sets the HttpOnly kiln_session cookie.",
    "description": "Opens a session for the caller identified by `Authorization` (an API key or a JWT) or by the body `{\"api_key\": \"kiln_…\"}` (a body, when sent, must hold `api_key`; with both, the header decides), and sets `kiln_session` (HttpOnly, SameSite=Lax, Path=/, Max-Age = session_lifetime; Secure when session_cookie_secure is set or a proxy sends X-Forwarded-Proto: https). Afterwards the browser authenticates every request, WebSocket upgrades included, with the cookie. Unsafe requests (POST, PUT, PATCH, DELETE) with the cookie must repeat `csrf_token` in `X-CSRF-Token`, and a cookie request that sends an `Origin` must come from this server's origin or a configured `cors_origins` entry; otherwise 403 `csrf_failed`. A session ends at `expires_at`, on logout, when an admin revokes it, or when the API key it was opened with is revoked (within 5 s on every node). Rejects: no credentials, an invalid or revoked key, an invalid token (401); a body that is not application/json (415), larger than max_json_body (413) or without `api_key` (400).",
    "requestBody": {
     "required": false,
     "content": {
      "application/json": {
       "schema": {
        "$ref": "#/components/schemas/OpenSessionRequest"
       }
      }
     }
    },
    "responses": {
     "201": {
      "description": "Opened; the cookie is in Set-Cookie.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "400": {
      "$ref": "#/components/responses/InvalidArgument"
     },
     "413": {
      "$ref": "#/components/responses/PayloadTooLarge"
     },
     "415": {
      "$ref": "#/components/responses/UnsupportedMediaType"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/sessions/current": {
   "get": {
    "operationId": "currentSession",
    "tags": [
     "Sessions"
    ],
    "summary": "The session this request's cookie belongs to, with its CSRF token (for a page reloaded after login).",
    "description": "Rejects: a request authenticated otherwise than by the session cookie (404).",
    "responses": {
     "200": {
      "description": "The session.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/Session"
        }
       }
      }
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   },
   "delete": {
    "operationId": "logout",
    "tags": [
     "Sessions"
    ],
    "summary": "Log out: ends the cookie's session and clears the cookie.",
    "description": "Needs X-CSRF-Token like every unsafe cookie request. Rejects: a request authenticated otherwise than by the session cookie (404); a missing or wrong CSRF token or an untrusted Origin (403 csrf_failed).",
    "responses": {
     "204": {
      "description": "Logged out; Set-Cookie clears kiln_session."
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/sessions/{id}": {
   "delete": {
    "operationId": "revokeSession",
    "tags": [
     "Sessions"
    ],
    "summary": "End a session by id: an admin any session, anyone else their own.",
    "description": "Rejects: an unknown or already ended session, or another caller's session for a non-admin (404).",
    "parameters": [
     {
      "name": "id",
      "in": "path",
      "required": true,
      "schema": {
       "type": "string",
       "minLength": 1,
       "maxLength": 100
      }
     }
    ],
    "responses": {
     "204": {
      "description": "Ended."
     },
     "403": {
      "$ref": "#/components/responses/PermissionDenied"
     },
     "404": {
      "$ref": "#/components/responses/NotFound"
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  },
  "/v1/ws-tickets": {
   "post": {
    "operationId": "createUpgradeTicket",
    "tags": [
     "Sessions"
    ],
    "summary": "A single-use ticket for one WebSocket or SSE upgrade (`?ticket=`), for clients that can send neither a header nor a cookie.",
    "description": "The ticket authenticates the first `GET` upgrade (`Upgrade: websocket`, or `Accept: text/event-stream`) that presents it as `?ticket=` within ws_ticket_lifetime (default 30 s), on any node, and never again; it carries the caller's identity, and a ticket issued through a session or an API key stops working when that key is revoked. API keys are never accepted in URLs. Rejects: anonymous callers (401).",
    "responses": {
     "201": {
      "description": "Issued.",
      "content": {
       "application/json": {
        "schema": {
         "$ref": "#/components/schemas/UpgradeTicket"
        }
       }
      }
     },
     "401": {
      "$ref": "#/components/responses/Unauthenticated"
     },
     "429": {
      "$ref": "#/components/responses/RateLimited"
     },
     "default": {
      "$ref": "#/components/responses/Error"
     }
    }
   }
  }
 },
 "components": {
  "schemas": {
   "OpenSessionRequest": {
    "type": "object",
    "required": [
     "api_key"
    ],
    "properties": {
     "api_key": {
      "type": "string",
      "minLength": 1,
      "maxLength": 8192,
      "description": "An API key (kiln_…) or a JWT."
     }
    }
   },
   "Session": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "id",
     "subject",
     "kind",
     "role",
     "csrf_token",
     "created_at",
     "expires_at"
    ],
    "properties": {
     "id": {
      "type": "string"
     },
     "subject": {
      "type": "string",
      "description": "The API key id or the token's subject."
     },
     "kind": {
      "type": "string",
      "enum": [
       "api_key",
       "jwt"
      ]
     },
     "role": {
      "type": "string"
     },
     "csrf_token": {
      "type": "string",
      "description": "Send it in X-CSRF-Token on unsafe requests made with the cookie."
     },
     "created_at": {
      "type": "string",
      "format": "date-time"
     },
     "expires_at": {
      "type": "string",
      "format": "date-time"
     }
    }
   },
   "UpgradeTicket": {
    "type": "object",
    "additionalProperties": false,
    "required": [
     "ticket",
     "expires_at",
     "expires_in_seconds"
    ],
    "properties": {
     "ticket": {
      "type": "string"
     },
     "expires_at": {
      "type": "string",
      "format": "date-time"
     },
     "expires_in_seconds": {
      "type": "number"
     }
    }
   }
  }
 }
}
"""#
}
