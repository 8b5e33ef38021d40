// CTorch exposes no headers of its own; its interface is CTorchAPI/include/ctorch_api.h.
