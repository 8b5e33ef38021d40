// CDicom exposes no headers of its own; its interface is CDicomAPI/include/cdicom_api.h.
