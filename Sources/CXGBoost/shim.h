// XGBoost's C API from Debian's libxgboost-dev.
#include <xgboost/c_api.h>
