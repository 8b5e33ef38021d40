// Header-only target: the declarations live in include/cdicom_api.h.
