/* SPDX-License-Identifier: BSD-3-Clause */
#include "gw_common.h"

RTE_LOG_REGISTER_DEFAULT(gw_logtype, INFO);
