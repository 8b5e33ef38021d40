// Header-only target: the declarations live in include/ctorch_api.h.
